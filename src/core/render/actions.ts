// Moved to core/text/actions.ts (below every layer of the core); kept so importers outside the core need not change.
export * from '../text/actions';
