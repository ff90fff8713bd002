// What the bot said on a console page is kept by the store.
export { ConsoleMessages, type ConsoleMessage } from '../../store/console-messages';
