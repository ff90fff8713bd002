import type { PlaybookCatalog } from '../../core/playbook/catalog';

export function helpText(catalog: PlaybookCatalog): string {
  const runbooks = catalog.all
    .map((p) => `• \`${p.id}\`${p.aliases.length ? ` (also ${p.aliases.map((a) => `\`${a}\``).join(', ')})` : ''}: ${p.title}`)
    .join('\n');
  return [
    '*Declare an incident*: `/incident <runbook> [summary]`, e.g. `/incident pdf-404 invoices return 404`',
    runbooks,
    '',
    '*Inside an incident channel*',
    '• `/incident ack`: you are on it',
    '• `/incident status`: where things stand',
    '• `/incident mitigate`: impact has stopped',
    '• `/incident sev <1-4>`: change severity (commander, declarer or admin)',
    '• `/incident commander @user`: hand over (commander, declarer or admin)',
    '• `/incident resolve [summary]`: close it (commander, declarer or admin)',
    '• `/incident cancel [reason]`: declared by mistake; left out of MTTR',
    '',
    '*Anywhere*: `/incident list` shows open incidents, `/incident help` shows this.',
  ].join('\n');
}
