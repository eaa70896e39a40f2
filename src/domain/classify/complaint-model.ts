// Owns complaint scoring by the shipped logistic-regression model (trained by scripts/train-complaint.ts).
import model from './complaint-model.json' with { type: 'json' };
import { LinearModel, type ModelFile, type ModelScore } from './linear-model.ts';

const COMPLAINT_MODEL = new LinearModel(model as ModelFile);

/**
 * A tweet's complaint score, and the features that pushed hardest towards "complaint" (for the reasons). `lower` is
 * `text.toLowerCase()`, for a caller that has it already.
 */
export function complaintModelScore(text: string, lower?: string): ModelScore {
  return COMPLAINT_MODEL.score(text, undefined, lower);
}
