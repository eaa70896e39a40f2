// Owns the pattern table for brand replies: which phrases vote for which reply kind.
import { RuleSet, type Rule } from './rules.ts';

// Labels: the reply kinds, plus helper cues the decision in reply.ts weighs
// ('pointer' = "see here: <link>", 'fallback' = "if that doesn't help", 'ask' = asks the customer for something).
const R = (label: string, ...sources: string[]): Rule[] => sources.map((source) => ({ label, source }));

const TEAM_NOUNS =
  'store|restaurant|hotel|property|manager|bank|seller|merchant|retailer|manufacturer|carrier|airline|provider|operator|developers?|publisher|card issuer|issuer|station|venue|gate agents?|partners?|gate team|flight attendants?|crew ?members?|crew|duty (?:manager|mngr)|landlord|employer|game developer|app developer|travel agent|agency|courier|driver|restaurant partner|local post office|post office|shipper|sender|vendor|marketplace seller|third[- ]party|isp|it department|admin(?:istrator)?';

export const REPLY_RULES: readonly Rule[] = [
  ...R(
    'broadcast',
    String.raw`#VTNEW`,
    String.raw`\b(?:we're|we are|our team is|the team is|team's)\s+(?:now\s+)?(?:offline|signing off|logging off|clocking off|back online|online now|here until|here from|available from|on shift)`,
    String.raw`\ball lines (?:are|have been) (?:closed|blocked|reopened)`,
  ),
  ...R(
    'team_redirect',
    String.raw`\b(?<!\bwe (?:can |could |will |'ll )?|\bso we can )(?:reach out to|contact|get in touch with|speak (?:to|with)|talk (?:to|with)|check with|check in with|ask|tweet|message|call|notify|inform|let|alert|report (?:this|it|the matter) to) (?:the|your|their|a|an|our|our friends at|our pals at|our colleagues at|our team at)?\s*(?:local\s+|nearest\s+|specific\s+|wi-?fi\s+)?(?:${TEAM_NOUNS})\b`,
    String.raw`\b(?:contact(?:ing)?|get in touch with|reach(?:ing)? out to|speak (?:to|with)|check in with|talk to) them\b`,
    String.raw`\bcall the attention of (?:the|a|an|our) (?:${TEAM_NOUNS})\b`,
    String.raw`\b(?:alert|inform|notify|contact|reach out to|speak (?:to|with)|find) the (?:manager|mngr|mgr) on duty\b`,
    String.raw`\b(?:the|a|our) (?:on ?board |train )?(?:guard|conductor|train manager|crew|staff (?:at|in) the (?:station|store|hotel)) (?:should|will|can|may) be able to (?:help|assist)`,
    String.raw`\b(?:sending|send|refer(?:ring)?|passing|pass|forward(?:ing)?) (?:this|it|you) (?:over )?to (?:our (?:[\w-]+ )?(?:counterparts|colleagues|friends|team) (?:at |over at )?)?@\w+`,
    String.raw`\b(?:reach out to|contact) (?!us\b|me\b|you\b)\w+ directly\b`,
    String.raw`\b(?:reach out to|contact|get in touch with|tweet|dm|message|follow|ask|visit|speak (?:to|with)|check with)\s+(?:our (?:friends|pals|colleagues|team)\s+(?:at|over at)\s+)?@[A-Za-z_][A-Za-z0-9_]*`,
    String.raw`\b(?:our|the) (?:friends|pals|colleagues|folks) (?:at|over at|from) @?[A-Za-z_]\w*`,
    String.raw`@[A-Za-z_]\w* (?:will|can|are|is|should|would) (?:be )?(?:better |best )?(?:able to |placed to )?(?:help|assist)`,
    String.raw`\b(?:the|our friends at) @\w+ (?:team|folks|crew) (?:will|can|may|might|should|would|are|is) (?:be )?(?:better |best )?(?:able to |placed to )?(?:help|assist)`,
    String.raw`\b(?:are|is|would be) (?:better|best) (?:able|placed|suited|equipped) to (?:help|assist|answer)`,
    String.raw`\b(?<!\bwe (?:can |could |will |'ll )?|\bso we can )(?:contact|reach out to|speak (?:to|with)|get in touch with|work (?:directly )?with) (?:our|the) (?:\w+ ){0,2}(?:teams?|department|dept)\b`,
    String.raw`\b(?:speak|talk) (?:to|with) (?:a|one of the|any) members? of (?:the|our) (?:\w+ ){0,2}(?:crew|team|staff)\b`,
    String.raw`\b(?:are|is) the (?:folks|people|ones|team|best people) (?:you(?:'ll)? (?:want|need) to|to) (?:talk|speak|contact|reach)`,
    String.raw`\b(?:report|claim|complaint) (?:with|at) (?:our|the) (?:\w+ ){0,3}(?:office|desk|cent(?:er|re))\b`,
    String.raw`\bhandled by (?:our|the|a) (?:\w+ ){0,2}(?:team|department|store|restaurant|hotel)`,
  ),
  ...R(
    'callback_offer',
    String.raw`\b(?:we|I)(?:'ll|'d| will| would| can| could| are happy to| would like to| want to)(?: be (?:happy|glad) to)?(?: \w+)? (?:call|ring|phone) you\b`,
    String.raw`\b(?:give|have) you a (?:call|ring)`,
    String.raw`\b(?:and|then) (?:I|we)(?:[’']ll| will) (?:call|ring)(?! (?:it|this|that|them|our|the)\b)`,
    String.raw`\b(?:call|ring) you (?:back|directly|shortly|soon|at)`,
    String.raw`\bcall ?backs?\b`,
    String.raw`\b(?:have|get) (?:a|an|one of our|our) (?:\w+ ){0,2}(?:reach out|contact you|call you|get in touch)`,
    String.raw`\b(?:reach out to|contact) you (?:directly|by phone|via phone|over the phone)`,
    String.raw`\b(?:schedule|book|arrange|set up) (?:a|an) (?:call|phone call|time to talk)`,
    String.raw`\bbest (?:time|number)(?: and time)? to (?:reach|call|contact|try and call|try to call) you`,
    String.raw`\b(?:I|we) (?:called|rang|phoned|tried (?:to )?call(?:ing)?) you\b`,
    String.raw`\breturn (?:my|our) call`,
    String.raw`\b(?:need|like|want) to (?:speak|talk) (?:with|to) you (?:via|by|over the|on the) phone\b`,
    String.raw`\bbest time to (?:try and |try to )?call\b`,
  ),
  ...R(
    'channel_redirect',
    String.raw`\b(?:call|phone|ring) (?:us|our|the (?:number|team|support|help ?line))\b`,
    String.raw`\bgive us a (?:call|ring|buzz)`,
    String.raw`\b(?:a )?ping or (?:a )?ring\b`,
    String.raw`\b(?:1[-. ])?8[0-8]{2}[-. ]\d{3}[-. ]\d{4}\b`,
    String.raw`\b0[1-9]\d{2,3}[ -]?\d{3}[ -]?\d{3,4}\b`,
    String.raw`\b(?:live ?chat|chat with (?:us|our|an?)|chat (?:here|support|team|option|link)|via (?:phone|chat|our website|our site|web ?form)|phone\/chat|chat\/phone|phone or chat|chat or phone|call us\/chat)`,
    String.raw`\b(?:tell us more|send us (?:a note|the \w+ details|details|more)|provide (?:us )?(?:with )?(?:some |the )?(?:additional |more )?(?:details|info\w*)|submit|share (?:the |your )?details)[^.?!]{0,40}?\b(?:here|via|using (?:this|the|our) (?:form|link)|at)\s*[:;>]?\s*(?:&gt;\s*)?https?:\/\/`,
    String.raw`\b(?:please |kindly )?(?:contact|write (?:to )?us|reach out|get in touch)\s*(?:at|via|here|to)?\s*[:;]?\s*https?:\/\/`,
    String.raw`\b(?:in|via|through) (?:our|the) (?:secure |live )?chat\b`,
    String.raw`\buse the (?:[\w-]+ ){0,3}(?:reporting tool|report(?:ing)? (?:feature|form|option))`,
    String.raw`\buse the link (?:below |provided )?to (?:provide|send|share|submit|report)`,
    // Two rules, not one with an optional "please": a rule whose first letter is unknown is tried after those whose is.
    String.raw`\b(?:please|kindly|pls) (?:share (?:your|the) (?:experience|details|feedback|info\w*)|tell us more|(?:make|file|submit) a report)\b[^.?!]{0,40}?(?:\b(?:here|at|via|on)\b)?\s*[:;>\-]?\s*(?:&gt;\s*)?https?:\/\/`,
    String.raw`\b(?:share (?:your|the) (?:experience|details|feedback|info\w*)|tell us more|(?:make|file|submit) a report)\b[^.?!]{0,40}?(?:\b(?:here|at|via|on)\b)?\s*[:;>\-]?\s*(?:&gt;\s*)?https?:\/\/`,
    String.raw`\b(?:critical response|support|help|customer care|phone support) ?line\b`,
    String.raw`\bphone support\b`,
    String.raw`(?:お問い?合わ?せ|ご連絡)(?:ください|下さい)`,
    String.raw`カスタマーサービス(?:へ|まで|に)`,
    String.raw`\b(?:contacter|contactez|contatar|contate|contacte|contacta)\b[^.?!]{0,20}\b(?:SAV|SAC|service client|servi[cç]o (?:de|ao) cliente|servicio al cliente|atenci[oó]n al cliente)\b`,
    String.raw`\bvisit (?:\w+ ){1,2}store\b`,
    String.raw`\be-?mail (?:us|our|the team|them)\b`,
    String.raw`\bsend (?:us )?an e-?mail\b`,
    String.raw`\bcheck your e-?mail and (?:follow up|reply|respond|get back)`,
    String.raw`\b(?:contact|e-?mail|write to|reach|forward\w*)\b[^.?!]{0,40}?(?:__email__|\b[\w.+-]+@[\w-]+\.[a-z]{2,})`,
    String.raw`\be-?mail address\b[^?!]{0,40}?(?:__email__|\b[\w.+-]+@[\w-]+\.[a-z]{2,})`,
    String.raw`\b(?:contact|reach|reach out to) (?:us|our (?:customer (?:service|care|support)|support|care|help) ?(?:team|desk)?|customer (?:service|care|support)) (?:directly |by |via |at |here|through|on |using |from |over |with )(?![^.!?]{0,60}\b(?:DMs?|direct message|private message|PM)\b)`,
    String.raw`\b(?:please |kindly )?(?:reach out to us|contact us|get in touch(?: with us)?|reach us)(?:,| here| at| via| using| through| so| and| for| with the link| once more| again)(?![^.!?]{0,60}\b(?:DMs?|direct message|private message|PM)\b)`,
    String.raw`\b(?:fill out|fill in|complete|submit|use) (?:this|the|our|a)\b[^.?!]{0,25}\bform\b`,
    String.raw`\b(?:web ?form|contact form|online form|support form|feedback form)`,
    String.raw`\b(?:visit|stop by|pop (?:in|into|by)|go (?:in)?to|head (?:in)?to|bring it (?:in)?to|take it (?:in)?to|drop by|speak to a?\s?member of staff (?:in|at)) (?:a|an|your|the|our|any)? ?(?:local |nearest |nearby )?(?:store|shop|branch|location|apple store|genius bar|service (?:cent(?:er|re)|provider)|financial cent(?:er|re)|banking cent(?:er|re)|ticket (?:counter|desk|office)|customer service desk|airport|restaurant)`,
    String.raw`\bcall cent(?:er|re)\b`,
    String.raw`\bwrite in (?:to|at|via)\b`,
    String.raw`\bfill(?:ing)? (?:out|in)\s*:\s*https?:\/\/`,
    String.raw`\b(?:please|kindly|pls) (?:provide|send|share|give) (?:us )?(?:with )?(?:some |the )?(?:additional |more |further )?(?:details|info\w*) so (?:we|that we) can (?:help|assist|look into (?:it|this))\s*[:;]\s*https?:\/\/`,
    String.raw`\b(?:provide|send|share|give) (?:us )?(?:with )?(?:some |the )?(?:additional |more |further )?(?:details|info\w*) so (?:we|that we) can (?:help|assist|look into (?:it|this))\s*[:;]\s*https?:\/\/`,
    String.raw`\b(?:in|on|at) (?:the |our )?(?:community|forums?)\b`,
    String.raw`\bsend us a (?:note|request|ticket|message) (?:at|via|here|through|using)`,
    String.raw`\b(?<!\bwe (?:can |could |will |'ll |would )?)(?:submit|raise|log|open|create) a (?:ticket|case|request|support request|complaint)`,
    String.raw`\b(?:customer (?:service|care|relations)|support team|helpline|help ?desk) (?:team )?(?:at|on|via|by|here)\b`,
  ),
  ...R(
    'dm_request',
    String.raw`\bDMs?\b`,
    String.raw`\bdirect(?:ly)? messag`,
    String.raw`\bprivate(?:ly)? messag`,
    String.raw`\bsend (?:us|me) a (?:private )?(?:message|note)\b`,
    String.raw`\bclick (?:below |the link |here |the button )?(?:and|to) (?:send|message|share|DM)`,
    String.raw`\bmessage (?:us|me)\b`,
    String.raw`\bvia (?:a )?PM\b`,
    String.raw`\bcheck your (?:inbox|messages)`,
  ),
  ...R(
    'closing',
    String.raw`\blet (?:us|me) know if (?:you|there)(?:'s| is)? (?:ever |still )?(?:need|have|anything|change|want)`,
    String.raw`\b(?:if you (?:ever )?need (?:us|anything)|feel free to (?:contact|reach out|get in touch|tweet|get back)[^.!?]{0,40}(?:future|again|anytime|time)|(?:give|drop) us a (?:shout|tweet|line) if|we're (?:here|around) if you|if you change (?:your|you're) mind)`,
  ),
  ...R(
    'ask',
    String.raw`\b(?:can|could|would|will) you (?:please |kindly )?(?:tell|let|send|share|provide|confirm|give|clarify|describe|explain|check|elaborate|advise|specify|reply|post|attach|include|say)`,
    String.raw`\blet (?:us|me) know\b`,
    String.raw`\b(?:please|kindly|pls|plz)\s+(?![^.?!]{0,70}?(?:here|via|using \w+ \w+|at)\s*[:;>]?\s*https?:)(?!send (?:us )?an? e-?mail)(?:share|provide|confirm|tell|send|advise|clarify|describe|elaborate|specify|give us)`,
    String.raw`\b(?:send|provide|share|give|need|have|with|tell us) (?:us )?(?:some |a few |a little )?(?:more|further|additional) (?:details|info(?:rmation)?)\b(?! here| at| on| about)`,
    String.raw`\b(?:mind clarifying|clarify for us|tell us (?:more|what happened)|may we have|can we have|could we have|what happened)\b`,
    String.raw`\b(?:what|which|where|when|who|how long|how many|how much|how are|are you|is it|is this|is that|is your|was it|do you|does it|does that|does this|did you|did this|did it|have you (?:received|got|been|seen|checked|contacted|had)|has this|has it|were you|any steps)\b(?:[ \t]+[\w']+){0,3}(?=[^?.!]{0,90}\?)`,
  ),
  ...R(
    'pointer',
    String.raw`\b(?:here|below|this (?:link|article|page|guide)|following (?:link|article|page|steps)|check out|take a look at|have a look at|see|visit|outlined|more (?:info|details|information)|details|steps|tips|help|refer to|article)\b(?:(?!\bDMs?\b)[^.?!\n]){0,45}[:?!\-]?[\s\u200b]*https?:\/\/`,
    String.raw`\bhere[’']s (?:what|how)[^.?!]{0,80}https?:\/\/`,
    String.raw`\bhere(?:[’']s| is| are) (?:some |more |a few |an? )?(?:info\w*|details|tips|steps|articles?|guides?|links?)\b[^.?!\n]{0,70}[:\-]?\s*https?:\/\/`,
    String.raw`\b(?:start(?:ing)? with|walk(?:ing)? through)\b[^.?!\n]{0,45}[:\-]?\s*https?:\/\/`,
    // "Try: <link>", "try these steps: <link>"; not "try resetting preferences: <link>", which names the fix.
    String.raw`\btry\s*(?:(?:these|the|our|this|the following|some) (?:[\w-]+ )?(?:steps|tips|suggestions|article|guide|link|page))?\s*[:\-]?[\s\u200b]*https?:\/\/`,
    String.raw`\b(?:follow|visit|open) (?:this|the following|the) link\b(?! (?:to|and) (?:DM|message|send|contact|reach|share|submit|provide))`,
    String.raw`\b(?:find|verify|check|view|read)\b[^.?!\n]{0,60}\b(?:at|on|via)\s*:?\s*https?:\/\/`,
    String.raw`\b(?:steps|instructions|article|guide) (?:in|at|on) the link\b`,
    String.raw`\b(?:revisa|consulta|visita|sigue|haz clic en) (?:el|este|esta|estos|estas|la|los|las|nuestro|nuestra)\b[^.?!\n]{0,80}https?:\/\/`,
    String.raw`\bcan be (?:found|located|viewed|accessed|checked) (?:at|here|on|via|in)\b[^.?!]{0,20}https?:\/\/`,
    String.raw`\b(?:steps|instructions|details|info\w*|tips)\b[^.?!\n]{0,50}\b(?:are|is) (?:available|listed|outlined) (?:here|at|on|below)\b[^.?!\n]{0,5}https?:\/\/`,
    String.raw`\byou can (?:check|find|see|view|read|get)\b[^.?!\n]{0,60}\b(?:here|at|on|via|below)\b[.:]?\s*(?:&gt;\s*)?https?:\/\/`,
    String.raw`\btry (?:these|the|our|this|the following|some) (?:[\w-]+ )?(?:steps|tips|suggestions)\b[^.?!\n]{0,40}?https?:\/\/`,
  ),
  ...R(
    'fallback',
    String.raw`\bif (?:that|this|it|the (?:issue|problem|error)|those|these|they|the steps?)?\s?(?:doesn't|does not|didn't|did not|don't|still|persists?|continues?|isn't|is not|won't|keeps)`,
    String.raw`\bif (?:you|your) (?:still )?(?:need|have|require|want) (?:any |further |more |additional )?(?:help|assistance|support|questions|anything)`,
    String.raw`\bif you(?:'d| would)? (?:like|want) (?:to )?(?:speak|talk|proceed|us to|see|share|suggest|request|give)`,
    String.raw`\bif you(?:'re| are) still\b`,
    String.raw`\bif (?:this|it|that) is (?:urgent|time[- ]sensitive|an emergency)\b`,
    String.raw`\b(?:as an alternative|alternatively)\b`,
    String.raw`\bif (?:there(?:'s| is) )?no (?:change|luck|improvement)\b`,
    String.raw`\b(?:you're|you are) (?:more than )?welcome to\b`,
  ),
  ...R(
    'resolution',
    String.raw`\b(?:try|tap|select|restart|reboot|reinstall|uninstall|update|clear|press|hold|power cycle|unplug|plug|turn (?:off|on)|toggle|sign (?:out|in)|log (?:out|in)|reset|re-?add|remove and|go to settings|settings\s*(?:>|&gt;))\b`,
    String.raw`\b(?:has|have|had) (?:now )?been (?:refunded|credited|fixed|resolved|processed|issued|sent|forwarded|escalated|passed|shared|updated|added|cancel?led|reset|restored|reported|raised|logged|dispatched|delivered|approved|removed|reinstated|reactivated|unblocked)`,
    String.raw`\b(?:we|I)(?:'ve| have| had|'ll| will| are| am|'re|'m)? ?(?:just )?(?:issued|refunded|credited|fixed|resolved|processed|forwarded|escalated|passed|passing|shared|sharing|sent|added|reset|updated|applied|located|found|responded|replied|raised|reported|logged|removed|submitted|arranged|rebooked|upgraded|reinstated|unblocked|working on|looking into|investigating)\b`,
    String.raw`\byou(?:'ll| will| should| can| may| might| could)? (?:now |also |still |then |simply |just )?(?:receive|get|see|be able|use|need to|have to|want to|able to|change|update|cancel|return|request|access|check|expect)\b`,
    String.raw`\b(?:refund|credit|replacement|compensation|voucher|reimburse)`,
    String.raw`\b(?:should|will) (?:be )?(?:arrive|delivered|back|available|fixed|resolved|restored|working|up and running|processed|credited|refunded|live)`,
    String.raw`\b(?:is|are) (?:now )?(?:available|fixed|resolved|restored|up and running|back up|working again|supported|not (?:available|supported|possible|affected))`,
    String.raw`\bunfortunately\b`,
    String.raw`\bno (?:information|info|news|updates?|details) (?:to share|at (?:the|this) (?:moment|time)|yet)\b`,
    String.raw`\b(?:boils down to|comes down to|depends on)\b`,
    String.raw`\bhopefully (?:we'll|we will|it'll|it will|this will|they'll|they will)\b`,
    String.raw`\b(?:currently|temporarily) (?:updating|down|unavailable|offline|under maintenance)\b`,
    String.raw`\b(?:is|are|was|were) (?:now )?(?:scheduled|expected|due|estimated|out for delivery|in transit|on (?:its|their) way)\b`,
    String.raw`\b(?:we're|we are|I'm|I am) (?:unable|not able) to\b`,
    String.raw`\b(?:aren't|isn't|is not|are not|won't|will not|doesn't|does not) (?:available|possible|supported|expecting|affected|be|able|have|offer|include|apply)\b`,
        String.raw`\b(?:feedback|comments|suggestion|request|concerns?) (?:to|with|on to|along to) (?:the|our)`,
    String.raw`\b(?:because|due to|that's because|this is because|the reason)\b`,
    String.raw`\b(?:we(?:'re| are)|I'm|I am) (?:working|addressing|looking|checking)\b`,
    String.raw`\b(?:will|we'll|I'll) (?:update|follow up|review|reply|respond|share|pass|get back)\b`,
    String.raw`\b(?:looping in|loop in|would mean|might be|may be|may have|might have|there is a chance|chances are|can take up to|make sure|check that|ensure that)\b`,
    String.raw`\b(?:was|were|is|are|has been|have been) (?:fixed|resolved|corrected|suspended|turned off|sent|issued|cancel?led|delayed|full|saved|credited)\b`,
    String.raw`\b(?:can|may|might|will) be (?:delivered|made|available|used|charged|found|accessible|accessed|done|changed)\b`,
    String.raw`\b(?:submit|pass|share|log|forward|escalate) (?:this|your|it|that)\b`,
    String.raw`\b(?:it's|it is|this is|that's|that is) (?:currently |only |not |actually |correct|true)`,
    String.raw`^@\w+ (?:yes|no|correct)\b`,
    String.raw`\b(?:turned (?:it )?off|turned on|is off|is on|only available|only subject|operated by|run(?:s|ning)? on|airs)\b`,
  ),
  ...R(
    'acknowledgement',
    String.raw`\bthank(?:s| you)\b`,
    String.raw`\b(?:sorry|apolog\w*)\b`,
    String.raw`\b(?:glad|happy|great|awesome|love|loved|enjoy|welcome|appreciate\w*|congrat\w*|cheers|yay|hooray|pleasure|pleased|hope|adorable|favou?rite|amazing|lol|haha|scored|we want to|can't wait)\b`,
    String.raw`\bhave a (?:great|good|nice|lovely|wonderful|fantastic)`,
  ),
];

export const REPLY_RULESET = new RuleSet(REPLY_RULES);

/** Auto-truncated tweet: cut-off text ending in an ellipsis, then the link to the rest (and maybe a signature). */
export const TRUNCATED_RE = /(?:…|\.{3})\s*(?:https?:\/\/t\.co\/\w+\s*)+(?:\S{1,3}\s*)?(?:[\^*\/~-]\s?[A-Za-z]{1,15}\s*)?$/;

/**
 * A DM offered for what is left after a link ("Check them out here: <link>. Feel free to DM us if you have any
 * questions", "... envía un DM si tienes más dudas"): tested on the sentence around the DM cue.
 */
export const DM_FOR_MORE_RE =
  /\b(?:if|in ?case) you (?:have|need|still have) (?:any )?(?:other |more |further |additional )?(?:questions?|concerns?|help|assistance|trouble|problems?|issues?)|\b(?:for|with) (?:any )?(?:more|further|additional|other) (?:info(?:rmation)?|details|questions|help|assistance)\b|\blet us know (?:the results|how (?:it|that|this) goes|if (?:it|that|this) (?:helps|works))|\bmás (?:información|dudas)|\bsi (?:tienes|tiene) (?:más |alguna )?(?:dudas?|preguntas?)/i;

/** A URL, anywhere. */
export const URL_RE = /https?:\/\/\S+/g;
