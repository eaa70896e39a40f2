// Owns the pattern table for customer tweets: phrases that raise each customer flag or push the complaint score.
import { RuleSet, type Rule } from './rules.ts';

const R = (label: string, ...sources: string[]): Rule[] => sources.map((source) => ({ label, source }));

// Regulators, consumer bodies, press and executives customers tag to raise the stakes.
const ESCALATION_HANDLES =
  'FCC|CFPB|FTC|Ofcom|BBB|ASA_UK|WhichUK|Which|citizensadvice|ACCC|CRTC|TradingStandards|AGSchneiderman|NYAGO|AjitPaiFCC|' +
  'tim_cook|JeffBezos|elonmusk|JohnLegere|marceloclaure|richardbranson|sundarpichai|satyanadella|dkhos|BrianRoberts|' +
  'CNN|FoxNews|BBCNews|BBCWatchdog|bbcwatchdog|WSJ|nytimes|washingtonpost|guardian|Telegraph|ABC|NBCNews|CBSNews|' +
  'MSNBC|Reuters|AP|HuffPost|BuzzFeed|TechCrunch|verge|consumerist|GMA|TODAYshow|Dailymail|MailOnline|thesun|SkyNews|' +
  'itvnews|5_News|Channel4News|BBCBreakfast|DOTconsumer|USDOT|FAANews';

export const CUSTOMER_RULES: readonly Rule[] = [
  ...R(
    'escalation',
    String.raw`@(?:${ESCALATION_HANDLES})\b`,
    String.raw`\b(?:FCC|CFPB|FTC|Ofcom|BBB|better business bureau|attorney general|trading standards|ombudsman|consumer protection|watchdog|DOT complaint|department of transportation)\b`,
    String.raw`\b(?:call|contact|get|speak to|talk to|hire|consult|involve|hear from|ask) (?:my|a|our) (?:lawyer|attorney|solicitor)\b`,
    String.raw`\b(?:sue|suing|lawsuit|legal action|small claims|class action)\b`,
    String.raw`\b(?:the|your|ur|to) CEO\b`,
    String.raw`\b(?:contact(?:ing)?|tell(?:ing)?|go(?:ing)? to|call(?:ing)?) (?:the )?(?:press|media|news|local news|newspaper)\b`,
    String.raw`\breport(?:ing|ed)? (?:you|this|it) to\b`,
  ),
  ...R(
    'churn_threat',
    String.raw`\bcancel(?:l?ing|l?ed)? (?:all )?(?:my|our|the) (?:\w+ )?(?:account|services?|subscriptions?|membership|contract|plan|prime|card|policy|internet|cable|line|phone service|tv|live)\b`,
    String.raw`\b(?:already |have |just )?cancel?l?ed (?:my |our )?(?:live|prime|membership|subscription|service|account|contract)\b`,
    String.raw`\bswitch(?:ing)? (?:away )?from\b`,
    String.raw`\b(?:dump|dumping|ditch|ditching) @?\w+`,
    String.raw`\bnever (?:again )?(?:fly|flying|shop|shopping|buy|buying|use|using|order|ordering|book|booking)\b[^.!?]{0,30}\bagain\b`,
    String.raw`\b(?:I'll|I will|I'm going to|gonna|we'll) (?:fly|use|go with|shop (?:at|with)|switch to|book with) @\w+ (?:next time|instead|from now on)`,
    String.raw`\b(?:stay off|stay away from|avoid) (?:your|this) (?:airline|company|store|service|bank|network)`,
    String.raw`\b(?<!n[’']t (?:want to |wanna )?|not (?:want to )?)(?:switch(?:ing)?|mov(?:e|ing)|go(?:ing)?|chang(?:e|ing)) (?:over )?(?:to|back to) (?:another|a different|a new|a better|@\w+)(?: ?(?:provider|carrier|company|bank|network|airline|service))?`,
    String.raw`\b(?:another|a different|a new|a better) (?:provider|carrier|company|bank|network|airline|isp|service provider)\b`,
    String.raw`\b(?:leav(?:e|ing)|ditch(?:ing)?|drop(?:ping)?|quit(?:ting)?|done with|finished with|through with) (?:you|u|@\w+|your (?:service|company|network))\b`,
    String.raw`\b(?:take|taking) (?:my|our) (?:business|money|custom) (?:elsewhere|somewhere else)\b`,
    String.raw`\bnever (?:again )?(?:fly(?:ing)?|shop(?:ping)?|buy(?:ing)?|use|using|order(?:ing)?|eat(?:ing)?|book(?:ing)?|stay(?:ing)?|recommend(?:ing)?) (?:with |at |from )?(?:you|u|@\w+|this|them|again)`,
    String.raw`\b(?:last|final) time (?:i|we)(?:'ll| will)? (?:fly|shop|buy|use|order|book)`,
    String.raw`\b(?:should|will|gonna|going to|might|may) (?:just )?switch\b`,
    String.raw`\bclose my account\b`,
  ),
  ...R(
    'nudge',
    String.raw`\*\s*(?:thud|bump|crickets|cough|tap tap|taps)\s*\*`,
    String.raw`\b(?:hello|helloo+|hi|hey|anyone|anybody|someone)\s*\?{2,}`,
    String.raw`\b(?:anyone|anybody|someone) (?:there|home|out there|listening|at all)\b`,
    String.raw`\bstill (?:waiting|no (?:reply|response|answer|word|update|news|one)|nothing|haven[’']t heard)\b`,
    String.raw`\b(?:any|an) (?:update|news|response|reply|word)s?\b(?: (?:on|yet|please|\?))?`,
    String.raw`\b(?:no|zero|never got a|didn[’']t get a|haven[’']t had a|not had a) (?:reply|response|answer|word back)\b(?!\s+from\s+(?:the\s+)?(?:seller|them|him|her|driver|store))`,
    String.raw`\b(?:haven[’']t|have not|never) heard back\b`,
    String.raw`\b(?:ignoring|ignored) (?:me|us|my)\b`,
    String.raw`\b(?:please|pls|plz) (?:reply|respond|answer)\b`,
    String.raw`\breply to (?:my )?(?:dm|message)`,
    String.raw`\bno (?:update|response|reply)s? (?:whatsoever|at all|yet)\b`,
    String.raw`^(?:@\w+\s+)*(?:well|so|and|hello|hi|hey)\s*\?+`,
    String.raw`\bdespite my (?:pleas|requests|messages|tweets|emails)`,
    String.raw`\b(?:been|still) waiting (?:for|on) (?:a |your )?(?:reply|response|answer|dm|you|someone)`,
    String.raw`\b(?:waiting|wait) (?:for )?(?:a |your )?(?:reply|response)\b`,
    String.raw`\b(?:following up|follow up|chasing|bump)\b`,
    String.raw`\b(?:did you|have you) (?:get|got|see|receive|read) my (?:dm|message|tweet|email)`,
    String.raw`\bcheck (?:your|ur) (?:dms?|inbox|messages)`,
    String.raw`\b(?:responded|replied|sent you a dm|dm'd you|dmed you|messaged you)\b`,
  ),
  ...R(
    'not_thanks',
    String.raw`\bthanks? (?:you )?(?:for nothing|a lot for nothing|in advance|for (?:the|your) (?:non-?|lack|useless|\"|‘|'))`,
    String.raw`\bno,? thanks\b`,
    String.raw`\bthanks? (?:you )?for (?:stranding|ruining|wasting|making me|costing|losing|cancel?ling|the runaround|nothing)`,
  ),
  ...R(
    'thanks',
    String.raw`\b(?:thank(?:s| you| u)|thx|ty|cheers|much appreciated|appreciate (?:it|the|your|you)|you're the best|you guys rock|that worked|it worked|all sorted|sorted now|problem solved|all good now|works now|working now|fixed now)\b`,
  ),
  ...R(
    'question',
    String.raw`\?`,
    String.raw`^(?:@\w+\s+)*(?:how|what|why|when|where|who|which|can|could|will|would|is|are|do|does|did|should|has|have)\b`,
    String.raw`\b(?:any idea|wondering|is there a way|how (?:do|can|long|come)|can (?:you|i|someone) (?:help|tell|explain))\b`,
  ),
  ...R(
    'neg',
    String.raw`\b(?:worst|terrible|horrible|awful|pathetic|useless|ridiculous|disgusting|disgraceful|disgrace|shocking|appalling|unacceptable|incompetent|joke|rubbish|garbage|trash|crap|crappy|sucks?|sucked|shit|shitty|fuck\w*|wtf|annoy\w*|frustrat\w*|disappoint\w*|angry|furious|livid|pissed|fed up|sick of|tired of|hate|hated|nightmare|poor|bad|outrage\w*|scam|rip ?off|lied|lying|liars?|rude|unhelpful|unprofessional|embarrassing)\b`,
    String.raw`\b(?:not|isn[’']t|is not|aren[’']t|wasn[’']t|doesn[’']t|does not|don[’']t|didn[’']t|won[’']t|can[’']t|cannot|couldn[’']t|unable to|never|no longer|still not|stopped|keeps?|failed|fails|failing)\s+(?:\w+\s+){0,2}(?:work\w*|load\w*|connect\w*|arriv\w*|deliver\w*|receiv\w*|show\w*|open\w*|respond\w*|help\w*|get|got|charg\w*|refund\w*|fix\w*|resolv\w*|accept\w*|let|play\w*|sign\w*|log\w*|turn\w*|come|came|here)`,
    String.raw`\b(?:broken|broke|crash\w*|freez\w*|glitch\w*|bug|bugs|buggy|error|errors|outage|down again|is down|are down|went down|lag\w*|slow|delay\w*|late|cancel?led|missing|lost|damaged|wrong|overcharg\w*|double charg\w*|charged twice|charged me|stuck|stranded|waited|waiting|hours? on hold|on hold|no service|no signal|no internet|no wifi|not working|doesn[’']t work|won[’']t work|problem|problems|issue|issues|complain\w*)\b`,
    String.raw`(?:😡|😠|🤬|😤|😩|😫|😒|🙄|😞|😢|😭|👎|:\()`,
  ),
];

export const CUSTOMER_RULESET = new RuleSet(CUSTOMER_RULES);
