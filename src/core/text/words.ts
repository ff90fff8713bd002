/** The words the bot reads as commands, on every surface. No runbook id or alias may be one of them. */
export const COMMAND_WORDS = {
  help: 'help',
  list: 'list',
  status: 'status',
  ack: 'ack',
  acknowledge: 'ack',
  mitigate: 'mitigate',
  mitigated: 'mitigate',
  resolve: 'resolve',
  cancel: 'cancel',
  sev: 'sev',
  severity: 'sev',
  commander: 'commander',
  retry: 'retry',
  probe: 'probe',
  check: 'probe',
  escalate: 'escalate',
  diagnosed: 'diagnosed',
  cause: 'diagnosed',
  mttr: 'mttr',
  report: 'mttr',
  postmortem: 'postmortem',
  'post-mortem': 'postmortem',
  pm: 'postmortem',
  analysis: 'analysis',
  action: 'action',
  actions: 'action',
  edge: 'edge',
  declare: 'declare',
  class: 'class',
  duplicate: 'duplicate',
  dup: 'duplicate',
  link: 'link',
  runbook: 'runbook',
  note: 'note',
  search: 'search',
  started: 'started',
} as const;

export type CommandWord = keyof typeof COMMAND_WORDS;

export function commandFor(word: string): (typeof COMMAND_WORDS)[CommandWord] | undefined {
  return Object.hasOwn(COMMAND_WORDS, word) ? COMMAND_WORDS[word as CommandWord] : undefined;
}
