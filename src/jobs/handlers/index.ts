import type { Handlers } from '../workers';
import { actionsRemind } from './actions-remind';
import { chatAnnounce } from './chat-announce';
import { chatEscalate } from './chat-escalate';
import { chatHome } from './chat-home';
import { chatNotice } from './chat-notice';
import { chatPostmortem } from './chat-postmortem';
import { chatProvision } from './chat-provision';
import { chatRender } from './chat-render';
import type { HandlerDeps } from './deps';
import { digestWeekly } from './digest-weekly';
import { escalationDue } from './escalation-due';
import { incidentDeclare } from './incident-declare';
import { incidentDiagnosisDue } from './incident-diagnosis-due';
import { probeRun } from './probe-run';
import { probeRuns } from './probe-runs';
import { webhookCall } from './webhook-call';

export type { HandlerDeps } from './deps';

/** Every job kind's handler, one file each; `digest.weekly` only when a digest channel is configured. */
export function jobHandlers(d: HandlerDeps): Handlers {
  return {
    'chat.provision': chatProvision(d),
    'chat.render': chatRender(d),
    'chat.notice': chatNotice(d),
    'chat.announce': chatAnnounce(d),
    'incident.declare': incidentDeclare(d),
    'incident.diagnosis_due': incidentDiagnosisDue(d),
    'webhook.call': webhookCall(d),
    'escalation.due': escalationDue(d),
    'chat.escalate': chatEscalate(d),
    'chat.postmortem': chatPostmortem(d),
    'chat.home': chatHome(d),
    'actions.remind': actionsRemind(d),
    'probe.runs': probeRuns(d),
    'probe.run': probeRun(d),
    ...(d.digests.length > 0 ? { 'digest.weekly': digestWeekly(d) } : {}),
  };
}
