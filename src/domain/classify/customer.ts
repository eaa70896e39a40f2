// Owns the customer tweet decision: flags (question, nudge, churn threat, escalation, thanks) and the complaint score.
import type { CustomerClassification, CustomerFlag } from '../types.ts';
import { complaintModelScore } from './complaint-model.ts';
import { CUSTOMER_RULESET } from './customer-rules.ts';
import { reason, type Hit } from './rules.ts';

export interface CustomerCtx {
  awaitingReply?: boolean;
  unansweredCount?: number;
}

/** Score at or above which `complaint` is flagged; chosen on the train+dev split (docs/quality.md). */
export const COMPLAINT_THRESHOLD = 0.5;

// A bare chaser: "?", "hello??", "hi", "..." — only a nudge when the customer is already waiting.
const BARE_CHASER_RE = /^(?:\s*@\w+)*[\s.!?]*(?:hello+|hi+|hey+|helo+|yo|anyone|\?+|\.{3,}|ping|bump|and\??|so\??|well\??|still\??)?[\s.!?]*$/i;

export function classifyCustomerText(text: string, ctx?: CustomerCtx): CustomerClassification {
  // Lower-cased once, for the model and the rule scan.
  const lower = text.toLowerCase();
  const hits = CUSTOMER_RULESET.scan(text, lower);
  const flags: CustomerFlag[] = [];
  const reasons: string[] = [];
  // The first hit of each label, and up to three 'neg' cues for the complaint reason. Plain variables, not a Map:
  // this runs once per customer tweet, and a Map per call cost as much as the model.
  let churn: Hit | undefined;
  let escalation: Hit | undefined;
  let nudge: Hit | undefined;
  let question: Hit | undefined;
  let thanks: Hit | undefined;
  let notThanks = false;
  let cues = '';
  let cueCount = 0;
  for (const h of hits) {
    switch (h.label) {
      case 'neg':
        if (cueCount < 3) cues += `${cueCount++ ? ', ' : ''}'${h.text.trim()}'`;
        break;
      case 'churn_threat':
        churn ??= h;
        break;
      case 'escalation':
        escalation ??= h;
        break;
      case 'nudge':
        nudge ??= h;
        break;
      case 'question':
        question ??= h;
        break;
      case 'thanks':
        thanks ??= h;
        break;
      case 'not_thanks':
        notThanks = true;
        break;
    }
  }

  const model = complaintModelScore(text, lower);
  let score = model.score;
  // Threatening to leave or tagging a regulator is a complaint whatever the wording.
  if (churn || escalation) score = Math.max(score, 0.9);
  const awaiting = ctx?.awaitingReply === true || (ctx?.unansweredCount ?? 0) > 0;
  if (nudge && awaiting) score = Math.max(score, 0.6);
  score = Math.round(score * 1000) / 1000;

  if (score >= COMPLAINT_THRESHOLD) {
    flags.push('complaint');
    const top = model.top;
    reasons.push(`complaint: score ${score} >= ${COMPLAINT_THRESHOLD}${cues ? ` (${cues})` : ''}${top ? `; model: ${top}` : ''}`);
  }
  if (question) {
    flags.push('question');
    reasons.push(reason('question', question.text === '?' ? "'?'" : question.text));
  }
  if (nudge) {
    flags.push('nudge');
    reasons.push(reason('nudge', nudge.text));
  } else if (awaiting && BARE_CHASER_RE.test(text)) {
    flags.push('nudge');
    reasons.push(`nudge: bare follow-up while awaiting a reply`);
  }
  if (churn) {
    flags.push('churn_threat');
    reasons.push(reason('churn_threat', churn.text));
  }
  if (escalation) {
    flags.push('escalation');
    reasons.push(reason('escalation', escalation.text));
  }
  // Sarcastic thanks ("thanks for stranding me") come with a high complaint score.
  if (thanks && !notThanks && score < 0.6) {
    flags.push('thanks');
    reasons.push(reason('thanks', thanks.text));
  }
  return { flags, complaintScore: score, reasons };
}
