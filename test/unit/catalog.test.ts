import path from 'node:path';
import { checkRunbooks } from '../../src/core/runbook/loader';
import { RunbookCatalog } from '../../src/core/runbook/catalog';

const SHIPPED = path.resolve(__dirname, '../../playbooks');

describe('RunbookCatalog with the shipped runbooks', () => {
  let catalog: RunbookCatalog;

  beforeAll(() => {
    const { runbooks, problems } = checkRunbooks(SHIPPED);
    expect(problems).toEqual([]);
    catalog = new RunbookCatalog(runbooks);
  });

  it('lists every runbook id once', () => {
    expect(catalog.ids()).toEqual(['general', 'pdf-404', 'queue-failure', 'storage-permissions', 'workflow-500']);
  });

  it.each([
    ['pdf-404', 'pdf-404'],
    ['PDF-404', 'pdf-404'],
    ['Invoice-404', 'pdf-404'],
    ['wf-500', 'workflow-500'],
    ['WORKFLOW', 'workflow-500'],
    ['queue', 'queue-failure'],
    ['BullMQ', 'queue-failure'],
    ['s3-403', 'storage-permissions'],
  ])('finds %p as runbook %s', (name, id) => {
    expect(catalog.find(name)?.id).toBe(id);
  });

  it('finds nothing for a name no runbook uses', () => {
    expect(catalog.find('pdf-405')).toBeUndefined();
    expect(catalog.find('')).toBeUndefined();
  });

  it('suggests pdf-404 first for the look-alike typo pdf-4O4', () => {
    expect(catalog.suggest('pdf-4O4')[0]).toBe('pdf-404');
    expect(catalog.suggest('pdf-4O4')).toEqual(['pdf-404']);
  });

  it('suggests queue-failure for the unfinished name queue-fail', () => {
    expect(catalog.suggest('queue-fail')).toContain('queue-failure');
  });

  it('suggests a runbook once even when both its id and an alias are close', () => {
    const s = catalog.suggest('workflow-50');
    expect(s[0]).toBe('workflow-500');
    expect(new Set(s).size).toBe(s.length);
  });

  it('suggests nothing for input unlike any runbook', () => {
    expect(catalog.suggest('zzzzzz')).toEqual([]);
  });

  it('suggests at most the requested number of runbooks', () => {
    expect(catalog.suggest('pdf-404', 1)).toEqual(['pdf-404']);
    expect(catalog.suggest('a', 3).length).toBeLessThanOrEqual(3);
  });

  it('keeps an incident workable when its runbook was renamed or removed since it was declared', () => {
    expect(catalog.forIncident('pdf-404')).toBe(catalog.find('pdf-404'));
    const gone = catalog.forIncident('old-runbook');
    expect(gone.title).toBe('old-runbook (runbook no longer loaded)');
    expect(gone.steps).toEqual([]);
    expect(gone.links).toEqual([]);
  });
});
