import { html } from '../html';
import { csrfField, documentHtml, ROUTES } from './layout';

export interface LoginPageInput {
  /** Why the last try failed, shown above the form. */
  error?: string | null;
  csrf: string;
}

/** The sign-in page of a console that asks for its token. */
export function loginPage(input: LoginPageInput): string {
  return documentHtml({
    title: 'Sign in',
    bodyClass: 'bare',
    body: html`<main id="main" tabindex="-1" class="narrow">
<h1>Incident console</h1>
${input.error ? html`<div class="flash flash-error" role="alert"><p>${input.error}</p></div>` : ''}
<form class="login" method="post" action="${ROUTES.login}">
${csrfField(input.csrf)}
<label for="login-token">Console token</label>
<input id="login-token" name="token" type="password" required autocomplete="off" autofocus>
<button type="submit" class="btn btn-primary">Sign in</button>
</form>
<p class="help">The token is the console's <code>CONSOLE_TOKEN</code>; ask whoever runs the bot.</p>
</main>`,
  });
}
