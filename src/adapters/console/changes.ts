// The change feed is Postgres LISTEN/NOTIFY, so it lives in the store.
export { ConsoleChanges } from '../../store/console-changes';
