import path from 'node:path';
import { routeAlert, severityLabel } from '../../src/core/runbook/alert-routes';
import { checkRunbooks } from '../../src/core/runbook/loader';

const { runbooks } = checkRunbooks(path.resolve(__dirname, '../../playbooks'));

describe('routing alerts to the shipped runbooks', () => {
  it('routes by exact label, and by regex matched in full (anchored, as Alertmanager does)', () => {
    expect(routeAlert(runbooks, { alertname: 'InvoicePdf404Rate' })?.runbook.id).toBe('pdf-404');
    expect(routeAlert(runbooks, { alertname: 'PdfRenderSlow', service: 'documents-api' })?.runbook.id).toBe('pdf-404');
    // "Pdf.*" must match the whole value: XPdfRender does not start with Pdf.
    expect(routeAlert(runbooks, { alertname: 'XPdfRender', service: 'documents-api' })).toBeNull();
    expect(routeAlert(runbooks, { alertname: 'PdfRenderSlow', service: 'other' })).toBeNull();
    expect(routeAlert(runbooks, {})).toBeNull();
  });

  it("takes the route's severity, else the alert's severity label, else the runbook's", () => {
    expect(routeAlert(runbooks, { alertname: 'QueueBacklog', service: 'workflow-worker', severity: 'info' })?.severity).toBe(1);
    expect(routeAlert(runbooks, { alertname: 'InvoicePdf404Rate', severity: 'critical' })?.severity).toBe(1);
    expect(routeAlert(runbooks, { alertname: 'InvoicePdf404Rate', severity: '3' })?.severity).toBe(3);
    expect(routeAlert(runbooks, { alertname: 'InvoicePdf404Rate', severity: 'page-me' })?.severity).toBe(2);
    expect(severityLabel('Warning')).toBe(3);
    expect(severityLabel('5')).toBeNull();
  });
});
