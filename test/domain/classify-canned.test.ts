import { describe, expect, it } from 'vitest';
import { CannedDetector } from '../../src/domain/classify/index.ts';

const template = (id: string, name: string, sig: string) =>
  `@${id} Hi ${name}, we're sorry for the delay with your order. Please DM us your order number and email so we can look into this. ${sig} https://t.co/${id}x`;

describe('CannedDetector', () => {
  it('flags the same template sent to the third customer, names, ids, links and signatures swapped', () => {
    const d = new CannedDetector({ minCustomers: 3 });
    expect(d.observe('AmazonHelp', 'c1', template('101', 'Dale', '^KK'))).toBe(false);
    expect(d.observe('AmazonHelp', 'c2', template('202', 'Priya', '^LA'))).toBe(false);
    expect(d.observe('AmazonHelp', 'c3', template('303', 'Jo', '^GM'))).toBe(true);
    expect(d.observe('AmazonHelp', 'c4', template('404', 'Sam', '-Becky'))).toBe(true);
  });

  it('counts customers, not messages, and keeps handles apart', () => {
    const d = new CannedDetector({ minCustomers: 3 });
    d.observe('A', 'c1', template('1', 'Dale', '^KK'));
    d.observe('A', 'c1', template('1', 'Dale', '^KK'));
    expect(d.observe('A', 'c1', template('1', 'Dale', '^KK'))).toBe(false);
    d.observe('B', 'c2', template('2', 'Priya', '^LA'));
    expect(d.observe('A', 'c3', template('3', 'Jo', '^GM'))).toBe(false);
  });

  it('does not flag different texts', () => {
    const d = new CannedDetector({ minCustomers: 2 });
    expect(d.observe('H', 'c1', '@1 Press and hold the alarm silence / ONT reboot button for 30 seconds. ^ACM')).toBe(false);
    expect(d.observe('H', 'c2', '@2 Do you know where your back up battery is located? It may look like this. ^JAY')).toBe(false);
    expect(d.observe('H', 'c3', '@3 The traceroute will isolate the issue and show where packets are lost. ^NHP')).toBe(false);
  });

  it('keeps at most maxTemplates fingerprints per handle', () => {
    const d = new CannedDetector({ minCustomers: 2, maxTemplates: 2 });
    d.observe('H', 'c1', template('1', 'Dale', '^KK'));
    d.observe('H', 'c2', '@2 Do you know where your back up battery is located? It may look like this.');
    d.observe('H', 'c3', '@3 The traceroute will isolate the issue and show where packets are lost.');
    // The first template was evicted, so a second customer receiving it is not yet a repeat.
    expect(d.observe('H', 'c4', template('4', 'Jo', '^GM'))).toBe(false);
  });
});

describe('CannedDetector.seed', () => {
  it('rebuilds a handle from its stored replies, counting customers, and flags the next copy with the reason', () => {
    const d = new CannedDetector({ minCustomers: 3 });
    d.seed('H', [
      { customerId: 'c1', text: template('1', 'Dale', '^KK') },
      { customerId: 'c1', text: template('1', 'Dale', '^LA') },
    ]);
    expect(d.observeWithReason('H', 'c2', template('2', 'Priya', '^GM'))).toBeNull();
    d.seed('H', [
      { customerId: 'c1', text: template('1', 'Dale', '^KK') },
      { customerId: 'c2', text: template('2', 'Priya', '^LA') },
    ]);
    expect(d.observeWithReason('H', 'c3', template('3', 'Jo', '^GM'))).toBe('canned: near-identical text already sent to 2+ other customers');
  });

  it('replaces what it held of the handle, leaves other handles alone, and clears the handle’s version', () => {
    const d = new CannedDetector({ minCustomers: 2 });
    d.observe('H', 'c1', template('1', 'Dale', '^KK'));
    d.observe('G', 'c1', template('1', 'Dale', '^KK'));
    d.setVersion('H', '7');
    d.seed('H', []);
    expect(d.version('H')).toBeUndefined();
    expect(d.observe('H', 'c2', template('2', 'Priya', '^LA'))).toBe(false);
    expect(d.observe('G', 'c2', template('2', 'Priya', '^LA'))).toBe(true);
  });

  it('skips texts too short to be a template, as observe does', () => {
    const d = new CannedDetector({ minCustomers: 2 });
    d.seed('H', [{ customerId: 'c1', text: '@1 Thanks!' }]);
    expect(d.observe('H', 'c2', '@2 Thanks!')).toBe(false);
  });
});
