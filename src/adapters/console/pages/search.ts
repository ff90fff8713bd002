import type { Text } from '../../../core/text/text';
import { SEARCH_QUERY_MAX, SEARCH_RESULTS_MAX } from '../../../core/search';
import { html } from '../html';
import { textHtml, type Names } from '../text';
import { consoleRoomLink, layout, ROUTES, type PageContext } from './layout';

export interface SearchPageInput extends PageContext {
  /** What was typed, shown back in the box as text; '' before anything was asked. */
  query: string;
  /** The answer (results, none, or why the words cannot be searched); null before anything was asked. */
  answer: Text | null;
  names: Names;
}

/** What a box can hold back: enough to see and fix the words, not a page-long echo of a hostile URL. */
const ECHO_MAX = 1_000;

/**
 * Search over past incidents: a GET form, so a search is a link people can share and the back
 * button works; it changes nothing, so it needs no CSRF token. The answer is the core's text,
 * escaped like every other.
 */
export function searchPage(input: SearchPageInput): string {
  const echo = [...input.query].slice(0, ECHO_MAX).join('');
  const body = html`<h1>Search past incidents</h1>
<section class="panel" aria-labelledby="search-heading">
<h2 id="search-heading">Find incidents by their words</h2>
<form class="command search" method="get" action="${ROUTES.search}" role="search">
<label for="search-q">Words of a summary, cause, resolution, note or post-mortem</label>
<div class="command-row">
<input id="search-q" name="q" type="search" maxlength="${String(SEARCH_QUERY_MAX)}" autocomplete="off" spellcheck="false" value="${echo}" placeholder="storage key rotated" aria-describedby="search-help" autofocus>
<button type="submit" class="btn btn-primary">Search</button>
</div>
<p id="search-help" class="help">"a phrase" in quotes, <code>or</code> between alternatives, <code>-word</code> to leave out. Most relevant of the latest matches first, ${String(SEARCH_RESULTS_MAX)} at most; cancelled incidents and duplicates are left out. Also <code>/incident search &lt;words&gt;</code>.</p>
</form>
</section>
${input.answer ? html`<section class="panel search-results" aria-label="Results"><p>${textHtml(input.answer, input.names, { incident: consoleRoomLink })}</p></section>` : ''}`;
  return layout({ ...input, title: input.query ? `Search: ${echo}` : 'Search', nav: 'search', body });
}
