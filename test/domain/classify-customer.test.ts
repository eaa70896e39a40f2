import { describe, expect, it } from 'vitest';
import { classifyCustomer, COMPLAINT_THRESHOLD } from '../../src/domain/classify/index.ts';
import type { CustomerFlag } from '../../src/domain/types.ts';

// Customer tweets from twcs-sample.csv, with the flag each must raise and part of its reason.
const CASES: [CustomerFlag, string, string][] = [
  ['complaint', '@116827 You are #THEWORST wasted 2 HOURS ON PHONE &amp; STILL NO ONE CAN TELL ME WHY OR HOW IT HAPPENED!!! #WORTHLESS', 'complaint: score'],
  ['complaint', "@Tesco I’ve just picked up my click and collect and there’s an item missing.... 😥", 'complaint: score'],
  ['question', '@AskPlayStation any idea when "Steven Universe: Save the Light" will show up on the PS Store for PS4?', 'question'],
  ['question', '@BoostCare Does the store have any other deals?', 'question'],
  ['nudge', '@VirginTrains I\'ve used delay repay but no response from you. Anyone listening via Twitter??', 'nudge'],
  ['nudge', '@UPSHelp Hello? Anyone there?', 'nudge'],
  ['nudge', '@AmazonHelp *thud*', 'nudge'],
  ['nudge', 'Still waiting to hear about my ticket refund. Please advise @VirginTrains', "nudge: 'Still waiting'"],
  ['churn_threat', '@115911 is a fucking joke, my new years resolution is to change to another phone company ! 👌🏻', 'churn_threat'],
  ['churn_threat', 'I am cancelling all my services today @ATT #CustomerService', "churn_threat: 'cancelling all my services'"],
  ['churn_threat', '@SouthwestAir Not after you screwed me over last time. Never flying Southwest again. #neverflywn', 'churn_threat'],
  ['escalation', "@116068 I'd appreciate it if you wouldn't sell my personal info to other companies. You had no right and i'll be reporting you to the BBB", 'escalation'],
  ['escalation', "@Uber_Support I'm ready 2 file a complaint with Better Business Bureau &amp; FTC over misleading info", 'escalation'],
  ['escalation', '@comcastcares third outage this week @FCC @AjitPaiFCC', "escalation: '@FCC'"],
  ['thanks', '@VirginTrains Ah that makes sense thank you so much 😍👍', 'thanks'],
  ['thanks', '@SouthwestAir Just filled it out! Thank you', 'thanks'],
];

describe('classifyCustomer flags', () => {
  it.each(CASES)('%s: %s', (flag, text, reasonPart) => {
    const c = classifyCustomer(text);
    expect(c.flags).toContain(flag);
    expect(c.reasons.join(' | ')).toContain(reasonPart);
  });

  it('scores complaints in 0..1 against the threshold', () => {
    const bad = classifyCustomer("@Uber_Support hi guys. for some reason both the uber and the uber eats app keeps rejecting my card. this is really frustrating");
    const good = classifyCustomer('Thanks @SouthwestAir for the Halloween candy and complimentary drinks on today’s flight!');
    expect(bad.complaintScore).toBeGreaterThanOrEqual(COMPLAINT_THRESHOLD);
    expect(bad.flags).toContain('complaint');
    expect(good.complaintScore).toBeLessThan(COMPLAINT_THRESHOLD);
    expect(good.flags).not.toContain('complaint');
    for (const s of [bad.complaintScore, good.complaintScore]) expect(s >= 0 && s <= 1).toBe(true);
  });

  it('treats a bare follow-up as a nudge only while a reply is awaited', () => {
    expect(classifyCustomer('@AmazonHelp ??', { awaitingReply: true }).flags).toContain('nudge');
    expect(classifyCustomer('@AmazonHelp hello', { awaitingReply: true }).flags).toContain('nudge');
    expect(classifyCustomer('@AmazonHelp hello').flags).not.toContain('nudge');
  });

  it('does not read sarcastic or advance thanks as a closing thanks', () => {
    expect(classifyCustomer('@AmericanAir thanks for stranding me in DC. Another huge reminder on why I fly @Delta').flags).not.toContain('thanks');
    expect(classifyCustomer('@AmazonHelp can you check my order? Thanks in advance').flags).not.toContain('thanks');
  });

  it('does not take "switch to an iPhone" or a cancelled order for churn', () => {
    expect(classifyCustomer("@VMUcare I've had my service with you for years and don't want to switch to an iPhone.").flags).not.toContain('churn_threat');
    expect(classifyCustomer('@AmazonHelp please cancel my order 123, I ordered twice').flags).not.toContain('churn_threat');
  });
});
