import type { Snapshot } from '../../core/model';
import type { Text } from '../../core/text/text';
import type { TeamsDirectory, TeamsPerson } from '../../store/teams-directory';

export type Names = (userId: string) => string | null;
export type People = (userId: string) => { id: string; name: string } | null;

/** Who the ids in an incident are, read once per render: cards show names, messages mention people. */
export class TeamsPeople {
  constructor(private readonly directory: TeamsDirectory) {}

  async of(ids: Iterable<string>): Promise<{ names: Names; people: People; byId: Map<string, TeamsPerson> }> {
    const byId = await this.directory.people([...new Set(ids)]);
    const find = (id: string) => byId.get(id.toLowerCase()) ?? byId.get(id) ?? null;
    return {
      byId,
      names: (id) => find(id)?.name ?? null,
      people: (id) => {
        const p = find(id);
        return p ? { id: p.teamsId, name: p.name } : null;
      },
    };
  }

  forSnapshot(s: Snapshot, ...texts: Text[]) {
    return this.of([...idsIn(s), ...texts.flatMap(usersIn)]);
  }
}

function idsIn(s: Snapshot): string[] {
  const i = s.incident;
  const items = (s.actionItems ?? []).flatMap((a) => [a.owner, a.closedBy]);
  const replaced = (s.replaced ?? []).flatMap((r) => [r.replacedBy, ...r.steps.map((st) => st.changedBy)]);
  const ids = [
    i.declaredBy,
    i.commander,
    s.postmortem?.owner,
    ...items,
    ...s.steps.map((st) => st.changedBy),
    ...replaced,
    ...(s.escalations ?? []).map((e) => e.by),
  ];
  return ids.filter((id): id is string => Boolean(id));
}

export function usersIn(text: Text): string[] {
  return text.flatMap((s) => (typeof s === 'object' && 'user' in s ? [s.user] : []));
}
