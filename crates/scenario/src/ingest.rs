//! News to evidence (`detente ingest`): reads a plain-text news article and proposes
//! candidate evidence for a scenario: each sentence that names a party (by its name or one
//! of its `aliases`, or through the speaker it quotes) and a point (by the issue's id, name
//! or `aliases`) or the plan as a whole ("the proposal", "the draft"), with its quotes, the
//! speaker where the text gives one, and a suggested reading (holds, hardens, softens) with
//! the words that suggest it; and each meeting the text reports, with its participants and
//! its day. It is a suggestion from keywords, never a reading of the text: nothing here
//! changes a scenario, and [`candidates_toml`] writes the candidates as unconfirmed
//! `[[events]]` (`candidate = true`) that every command ignores until the analyst confirms
//! them (docs/scenario-format.md, "Candidates from the news").
//!
//! Reading is linear in the article's length: the text is cut into words once, sentences
//! are found in one pass, and names and cue words are looked up by their first word in a
//! hash map, each compared over at most its own length.

use std::collections::HashMap;

use detente_core::{Day, Scenario, civil_from_days, days_from_civil};

use crate::error::{Error, Problem, ProblemKind};

/// The longest article read, in bytes (a long feature is about 100 KB).
pub const MAX_ARTICLE: usize = 4 << 20;

/// What a sentence suggests about a stance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Restated or unchanged (also when nothing suggests a move, or the words pull both
    /// ways equally).
    Holds,
    /// Moves away from a deal.
    Hardens,
    /// Moves towards a deal.
    Softens,
}

impl Reading {
    /// `holds`, `hardens` or `softens`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reading::Holds => "holds",
            Reading::Hardens => "hardens",
            Reading::Softens => "softens",
        }
    }
}

/// What a cue word suggests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CueKind {
    /// A restatement ("reiterated", "long-held").
    Holds,
    /// A move away ("rejects", "impossible"), or a softening word negated ("no progress").
    Hardens,
    /// A move towards ("agreed", "useful"), or a hardening word negated.
    Softens,
    /// A condition that sounds like a red line ("unless", "no agreement").
    RedLine,
}

impl CueKind {
    /// `holds`, `hardens`, `softens` or `red_line`.
    pub fn as_str(self) -> &'static str {
        match self {
            CueKind::Holds => "holds",
            CueKind::Hardens => "hardens",
            CueKind::Softens => "softens",
            CueKind::RedLine => "red_line",
        }
    }
}

/// A cue: the words as written in the article and what they suggest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cue {
    /// The words, as written.
    pub words: String,
    /// What they suggest.
    pub kind: CueKind,
}

/// A party or an issue named in a sentence, with the words that named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// Index of the party or issue in the scenario.
    pub index: usize,
    /// The words that named it, as written, each once, in order.
    pub words: Vec<String>,
}

/// How a speaker was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpeakerFrom {
    /// Named next to a verb of saying ("Ushakov said").
    Text,
    /// A pronoun ("he said") taken as the last speaker named before it.
    Pronoun,
}

/// Who is reported as speaking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Speaker {
    /// The name as written ("Yuri Ushakov", "Ukrainian officials").
    pub name: String,
    /// The party it names, when one of the party's names or aliases is in it.
    pub party: Option<usize>,
    /// How it was found.
    pub from: SpeakerFrom,
}

/// A participant of a meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    /// The name as written ("Russian President Vladimir Putin").
    pub name: String,
    /// The party it names, when one of the party's names or aliases is in it.
    pub party: Option<usize>,
}

/// Where a candidate's day comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateFrom {
    /// The sentence names the day ("on 2 December", "on Tuesday", "yesterday"), read
    /// against the article's date where it needs one.
    Text,
    /// The sentence names no day: the article's date (the thing may be earlier).
    Article,
}

/// A candidate piece of evidence: one sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The line of the article where the sentence starts, from 1.
    pub line: usize,
    /// The sentence, its white space collapsed.
    pub sentence: String,
    /// Whether the sentence reports a meeting (with at least two participants' parties).
    pub meeting: bool,
    /// The participants of the meeting (empty when not a meeting).
    pub participants: Vec<Participant>,
    /// The parties named (the speaker's too), in scenario order.
    pub parties: Vec<Named>,
    /// The points named, in scenario order.
    pub issues: Vec<Named>,
    /// The words naming the plan as a whole ("proposal", "draft"), as written.
    pub plan: Vec<String>,
    /// The quotations in the sentence, without their marks.
    pub quotes: Vec<String>,
    /// The speaker, when the text gives one.
    pub speaker: Option<Speaker>,
    /// The suggested reading.
    pub reading: Reading,
    /// The words behind it, in order.
    pub cues: Vec<Cue>,
    /// The day, and where it comes from; `None` when neither the sentence nor the article
    /// gives one.
    pub day: Option<(Day, DateFrom)>,
}

impl Candidate {
    /// Whether some cue sounds like a red line.
    pub fn red_line(&self) -> bool {
        self.cues.iter().any(|c| c.kind == CueKind::RedLine)
    }
}

/// What an article proposes.
#[derive(Clone, Debug, PartialEq)]
pub struct Article {
    /// The first line (the headline, in most articles).
    pub title: String,
    /// The article's day, as given by the caller.
    pub date: Option<Day>,
    /// How many sentences were read.
    pub sentences: usize,
    /// The candidates, in the article's order.
    pub candidates: Vec<Candidate>,
    /// A short fingerprint of the text (FNV-1a, 32 bits, hex), naming its source.
    pub fingerprint: String,
}

/// Reads an article (`name` is used in messages only) against a scenario's names and
/// aliases. `date`: the article's day, against which "yesterday" and weekdays are read and
/// which dates a sentence that names no day. An empty article (nothing but white space) or
/// one longer than [`MAX_ARTICLE`] is an error, located.
pub fn read_article(
    name: &str,
    text: &str,
    s: &Scenario,
    date: Option<Day>,
) -> Result<Article, Error> {
    let problem = |line: usize, kind, message: String| {
        Error::new(vec![Problem {
            file: name.to_string(),
            line,
            column: 1,
            path: String::new(),
            kind,
            message,
        }])
    };
    if text.len() > MAX_ARTICLE {
        return Err(problem(
            1,
            ProblemKind::TooLarge,
            format!("the article is {} bytes; at most {MAX_ARTICLE} are read", text.len()),
        ));
    }
    if text.trim().is_empty() {
        return Err(problem(
            1,
            ProblemKind::Empty,
            "the article is empty (give the text of a news article, plain text)".to_string(),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let names = Names::new(s);
    let sentences = sentences(text);
    let mut out = vec![];
    let mut last_speaker: Option<(String, Option<usize>)> = None;
    for sentence in &sentences {
        if let Some(c) = candidate(sentence, &names, date, &mut last_speaker) {
            out.push(c);
        }
    }
    let title = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").to_string();
    Ok(Article {
        title: squash(&title),
        date,
        sentences: sentences.len(),
        candidates: out,
        fingerprint: format!("{:08x}", fnv1a(text.as_bytes())),
    })
}

fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// White space collapsed to single spaces, trimmed.
fn squash(x: &str) -> String {
    x.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------
// Sentences

/// A sentence: its text and the line it starts on.
#[derive(Debug, PartialEq)]
struct Sentence {
    line: usize,
    text: String,
}

const OPEN_QUOTE: char = '\u{201c}';
const CLOSE_QUOTE: char = '\u{201d}';

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "sen", "rep", "gov", "prof", "jr", "sr",
    "no", "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "vs", "e.g",
    "i.e", "u.s", "u.k", "u.n", "e.u",
];

/// Cuts the text into sentences in one pass: a sentence ends at `.`, `!` or `?` (and the
/// closing quotes or brackets right after it) followed by a space and a capital, a digit
/// or an opening quote, unless the word before is an abbreviation or an initial; not inside
/// a quotation; and at every line break, unless the next line begins in lower case (a
/// sentence wrapped across lines).
fn sentences(text: &str) -> Vec<Sentence> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = vec![];
    let mut start = 0; // index into chars
    let mut line = 1;
    let mut start_line = 1;
    let mut in_quote = false;
    let mut straight = false;
    let push = |out: &mut Vec<Sentence>, from: usize, to: usize, line: usize| {
        let a = chars.get(from).map_or(text.len(), |c| c.0);
        let b = chars.get(to).map_or(text.len(), |c| c.0);
        let t = squash(&text[a..b]);
        if !t.is_empty() {
            out.push(Sentence { line, text: t });
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        match c {
            OPEN_QUOTE => in_quote = true,
            CLOSE_QUOTE | '"' => {
                let closing = if c == '"' { straight } else { in_quote };
                if c == '"' {
                    straight = !straight;
                } else {
                    in_quote = false;
                }
                // A quotation that ends a sentence: `... “impossible.” He said`.
                let stop = i > 0 && matches!(chars[i - 1].1, '.' | '!' | '?');
                if closing && stop && !in_quote && !straight {
                    let mut k = i + 1;
                    while k < chars.len() && chars[k].1 == ' ' {
                        k += 1;
                    }
                    if k > i + 1 && k < chars.len() && chars[k].1.is_uppercase() {
                        push(&mut out, start, i + 1, start_line);
                        start = k;
                        start_line = line;
                        i = k;
                        continue;
                    }
                }
            }
            '\n' => {
                line += 1;
                let next = chars[i + 1..].iter().map(|x| x.1).find(|c| !c.is_whitespace());
                let blank = chars[i + 1..]
                    .iter()
                    .map(|x| x.1)
                    .take_while(|c| c.is_whitespace())
                    .any(|c| c == '\n');
                if blank || !next.is_some_and(char::is_lowercase) {
                    push(&mut out, start, i, start_line);
                    start = i + 1;
                    start_line = line;
                    in_quote = false;
                    straight = false;
                }
                i += 1;
                continue;
            }
            '.' | '!' | '?' if !in_quote && !straight => {
                let mut j = i + 1;
                while j < chars.len()
                    && matches!(
                        chars[j].1,
                        '.' | '!' | '?' | ')' | CLOSE_QUOTE | '"' | '\'' | '\u{2019}'
                    )
                {
                    j += 1;
                }
                let spaced = j < chars.len() && chars[j].1 == ' ';
                let mut k = j;
                while k < chars.len() && chars[k].1 == ' ' {
                    k += 1;
                }
                let next_starts = k < chars.len()
                    && (chars[k].1.is_uppercase()
                        || chars[k].1.is_ascii_digit()
                        || matches!(chars[k].1, OPEN_QUOTE | '"' | '('));
                if c == '.' && abbreviation(&chars[start..i]) {
                    i += 1;
                    continue;
                }
                if spaced && next_starts {
                    push(&mut out, start, j, start_line);
                    start = k;
                    start_line = line;
                    i = k;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    push(&mut out, start, chars.len(), start_line);
    out
}

/// Whether the word right before a full stop is an abbreviation or an initial.
fn abbreviation(before: &[(usize, char)]) -> bool {
    let word: String = before
        .iter()
        .rev()
        .map(|c| c.1)
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let mut letters = word.chars();
    if let (Some(a), None) = (letters.next(), letters.next())
        && a.is_uppercase()
    {
        return true; // an initial: "J. Smith"
    }
    ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

// ---------------------------------------------------------------------------------------
// Words

/// A word of a sentence.
#[derive(Clone, Debug)]
struct Word<'a> {
    text: &'a str,
    lower: String,
    /// Whether it starts with a capital letter.
    capital: bool,
    /// Whether a possessive `'s` follows it.
    possessive: bool,
    /// Whether the word is inside a quotation.
    quoted: bool,
    /// The character right before the word, when not a space (a dash, a comma...).
    glue_before: Option<char>,
    /// The character right after it (or after its possessive), when not a space.
    glue_after: Option<char>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The words of a sentence: letters and digits, with inner hyphens and apostrophes and
/// inner `,` `.` between digits ("28-point", "800,000"); a trailing `'s` marks a possessive.
fn words(text: &str) -> Vec<Word<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out: Vec<Word<'_>> = vec![];
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if c == OPEN_QUOTE || (c == '"' && !quoted) {
            quoted = true;
            i += 1;
            continue;
        }
        if c == CLOSE_QUOTE || c == '"' {
            quoted = false;
            i += 1;
            continue;
        }
        if !is_word_char(c) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        while j < chars.len() {
            let d = chars[j].1;
            let next_word = chars.get(j + 1).is_some_and(|x| is_word_char(x.1));
            let digits = chars[j - 1].1.is_ascii_digit()
                && chars.get(j + 1).is_some_and(|x| x.1.is_ascii_digit());
            if is_word_char(d) || (d == '-' && next_word) || (matches!(d, ',' | '.') && digits) {
                j += 1;
            } else {
                break;
            }
        }
        let a = chars[start].0;
        let b = chars.get(j).map_or(text.len(), |x| x.0);
        // A possessive: 's or 's.
        let mut possessive = false;
        let mut end = j;
        if j + 1 < chars.len()
            && matches!(chars[j].1, '\'' | '\u{2019}')
            && matches!(chars[j + 1].1, 's' | 'S')
            && chars.get(j + 2).is_none_or(|x| !is_word_char(x.1))
        {
            possessive = true;
            end = j + 2;
        }
        let glue_before = start.checked_sub(1).map(|k| chars[k].1).filter(|c| !c.is_whitespace());
        let glue_after = chars.get(end).map(|x| x.1).filter(|c| !c.is_whitespace());
        let word = &text[a..b];
        out.push(Word {
            text: word,
            lower: word.to_lowercase(),
            capital: word.chars().next().is_some_and(char::is_uppercase),
            possessive,
            quoted,
            glue_before,
            glue_after,
        });
        i = end;
    }
    out
}

/// A phrase to find: its words (as written) and what it stands for.
#[derive(Clone, Debug)]
struct Phrase<T> {
    words: Vec<String>,
    what: T,
}

/// Phrases found by their first word (lower case): each comparison costs at most the
/// phrase's length, and the phrases of one first word are few.
struct Lookup<T> {
    by_first: HashMap<String, Vec<Phrase<T>>>,
}

impl<T: Copy> Lookup<T> {
    fn new() -> Lookup<T> {
        Lookup { by_first: HashMap::new() }
    }

    fn add(&mut self, phrase: &str, what: T) {
        let ws: Vec<String> = words(phrase).iter().map(|w| w.text.to_string()).collect();
        let Some(first) = ws.first() else { return };
        let list = self.by_first.entry(first.to_lowercase()).or_default();
        list.push(Phrase { words: ws, what });
        // Longest first, so that "no progress" wins over "progress" at the same word.
        list.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
    }

    /// The longest phrase starting at word `at`: what it stands for and its length.
    /// A phrase word with a capital matches only the same spelling ("US" is not "us");
    /// one in lower case matches any case ("the" matches "The").
    fn at(&self, ws: &[Word<'_>], at: usize) -> Option<(T, usize)> {
        let list = self.by_first.get(&ws[at].lower)?;
        list.iter().find_map(|p| {
            let n = p.words.len();
            let fits = ws.len() >= at + n
                && p.words.iter().zip(&ws[at..at + n]).all(|(a, w)| {
                    if a.chars().any(char::is_uppercase) {
                        a == w.text
                    } else {
                        a.eq_ignore_ascii_case(w.text) || *a == w.lower
                    }
                })
                // A phrase is within one stretch of text: not across a possessive.
                && ws[at..at + n - 1].iter().all(|w| !w.possessive);
            fits.then_some((p.what, n))
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Party(usize),
    Issue(usize),
}

/// The scenario's names and aliases, and the built-in words.
struct Names {
    targets: Lookup<Target>,
    cues: Lookup<CueKind>,
    plan: Lookup<()>,
    n_parties: usize,
    n_issues: usize,
}

/// Words that suggest a restatement.
const HOLDS: &[&str] = &[
    "reiterated",
    "reiterates",
    "reiterating",
    "repeated",
    "repeats",
    "repeatedly",
    "long-held",
    "maintains",
    "maintained",
    "remains",
    "remain",
    "still",
    "again",
    "unchanged",
    "stands by",
    "stood by",
    "restated",
    "insists",
    "insisted",
    "insistence",
];

/// Words that suggest a move away from a deal.
const HARDENS: &[&str] = &[
    "rejects",
    "rejected",
    "reject",
    "rejecting",
    "rejection",
    "refuses",
    "refused",
    "refuse",
    "will not",
    "won't",
    "cannot accept",
    "unacceptable",
    "impossible",
    "dissatisfied",
    "demands",
    "demanded",
    "threatens",
    "threatened",
    "escalation",
    "failed",
    "accused",
    "hardened",
    "toughened",
    "walked away",
    "no breakthrough",
    "no progress",
    "stalled",
    "deadlock",
    "dismissed",
    "ultimatum",
];

/// Words that suggest a move towards a deal.
const SOFTENS: &[&str] = &[
    "agreed",
    "agrees",
    "agree",
    "accept",
    "accepts",
    "accepted",
    "acceptance",
    "ready to",
    "willing",
    "open to",
    "compromise",
    "concession",
    "concessions",
    "useful",
    "constructive",
    "progress",
    "breakthrough",
    "positive",
    "flexible",
    "flexibility",
    "hope",
    "welcomed",
    "welcomes",
    "softened",
    "narrows",
    "narrowed",
];

/// Words that sound like a condition, a red line.
const RED_LINES: &[&str] = &[
    "unless",
    "only if",
    "red line",
    "red lines",
    "non-negotiable",
    "under no circumstances",
    "never",
    "no agreement",
    "no deal",
    "deal without",
    "not negotiable",
];

/// Words that turn a following cue around ("no progress", "not reject").
const NEGATIONS: &[&str] = &["no", "not", "never", "without", "nor", "neither"];

/// Words naming the plan as a whole.
const PLAN: &[&str] = &[
    "proposal",
    "proposals",
    "plan",
    "draft",
    "framework",
    "provisions",
    "terms",
    "peace deal",
    "peace agreement",
    "settlement",
    "points",
];

/// Words of saying, after (or before) which a speaker is named.
const SAYING: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "stated",
    "states",
    "confirmed",
    "confirms",
    "acknowledged",
    "reiterated",
    "reiterates",
    "repeated",
    "repeats",
    "insisted",
    "insists",
    "warned",
    "warns",
    "accused",
    "accuses",
    "announced",
    "argued",
    "claimed",
    "noted",
    "stressed",
    "declared",
    "expressed",
    "wrote",
    "saying",
    "according",
];

/// Words of a meeting.
const MEETING: &[&str] =
    &["meeting", "meetings", "talks", "summit", "met", "meets", "meet", "discussions"];

/// Nouns for a group that speaks ("Ukrainian officials").
const GROUPS: &[&str] = &[
    "officials",
    "official",
    "sources",
    "source",
    "diplomats",
    "diplomat",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "negotiators",
    "aides",
    "leaders",
    "ministry",
    "government",
    "delegation",
    "envoy",
    "envoys",
    "nations",
    "governments",
];

/// Capitalised words that begin sentences without naming anyone.
const NOT_NAMES: &[&str] = &[
    "the",
    "a",
    "an",
    "despite",
    "while",
    "ahead",
    "any",
    "with",
    "but",
    "he",
    "she",
    "they",
    "it",
    "this",
    "that",
    "in",
    "on",
    "at",
    "after",
    "before",
    "meanwhile",
    "however",
    "if",
    "as",
    "when",
    "there",
    "we",
    "i",
    "our",
    "their",
    "his",
    "her",
    "its",
    "no",
    "not",
    "and",
    "or",
    "for",
    "from",
    "to",
    "of",
    "by",
    "also",
    "yet",
    "so",
    "then",
    "earlier",
    "later",
    "last",
    "next",
    "on",
    "mr",
    "mrs",
    "ms",
];

const PRONOUNS: &[&str] = &["he", "she", "they"];

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: &[&str] =
    &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

impl Names {
    fn new(s: &Scenario) -> Names {
        let mut targets = Lookup::new();
        for (p, party) in s.parties().iter().enumerate() {
            targets.add(&party.name, Target::Party(p));
            for a in &party.aliases {
                targets.add(a, Target::Party(p));
            }
        }
        for (i, issue) in s.issues().iter().enumerate() {
            targets.add(&issue.id, Target::Issue(i));
            targets.add(&issue.name, Target::Issue(i));
            for a in &issue.aliases {
                targets.add(a, Target::Issue(i));
            }
        }
        let mut cues = Lookup::new();
        for (list, kind) in [
            (HOLDS, CueKind::Holds),
            (HARDENS, CueKind::Hardens),
            (SOFTENS, CueKind::Softens),
            (RED_LINES, CueKind::RedLine),
        ] {
            for w in list {
                cues.add(w, kind);
            }
        }
        let mut plan = Lookup::new();
        for w in PLAN {
            plan.add(w, ());
        }
        Names { targets, cues, plan, n_parties: s.parties().len(), n_issues: s.issues().len() }
    }

    /// The party a stretch of words names, if any (the first found).
    fn party_in(&self, ws: &[Word<'_>]) -> Option<usize> {
        (0..ws.len()).find_map(|k| match self.targets.at(ws, k) {
            Some((Target::Party(p), _)) => Some(p),
            _ => None,
        })
    }
}

// ---------------------------------------------------------------------------------------
// One sentence

fn candidate(
    sentence: &Sentence,
    names: &Names,
    date: Option<Day>,
    last_speaker: &mut Option<(String, Option<usize>)>,
) -> Option<Candidate> {
    let ws = words(&sentence.text);
    if ws.is_empty() {
        return None;
    }
    // Parties and points named, with their words.
    let mut parties: Vec<Vec<String>> = vec![vec![]; names.n_parties];
    let mut issues: Vec<Vec<String>> = vec![vec![]; names.n_issues];
    let mut plan = vec![];
    let mut k = 0;
    while k < ws.len() {
        if let Some((t, n)) = names.targets.at(&ws, k) {
            let said = phrase(&ws[k..k + n]);
            let list = match t {
                Target::Party(p) => &mut parties[p],
                Target::Issue(i) => &mut issues[i],
            };
            if !list.contains(&said) {
                list.push(said);
            }
            k += n;
            continue;
        }
        if let Some(((), n)) = names.plan.at(&ws, k) {
            let said = phrase(&ws[k..k + n]);
            if !plan.contains(&said) {
                plan.push(said);
            }
            k += n;
            continue;
        }
        k += 1;
    }
    let speaker = speaker(&ws, names, last_speaker);
    if let Some(sp) = &speaker
        && let Some(p) = sp.party
        && parties[p].is_empty()
    {
        parties[p].push(sp.name.clone());
    }
    let participants = participants(&ws, names);
    let mut meeting_parties: Vec<usize> = participants.iter().filter_map(|x| x.party).collect();
    meeting_parties.sort_unstable();
    meeting_parties.dedup();
    let meeting = meeting_parties.len() >= 2;
    let named_party = parties.iter().any(|w| !w.is_empty());
    let named_point = issues.iter().any(|w| !w.is_empty()) || !plan.is_empty();
    if !(meeting || named_party && named_point) {
        return None;
    }
    let cues = cues(&ws, names);
    let reading = reading(&cues);
    let collect = |lists: Vec<Vec<String>>| -> Vec<Named> {
        lists
            .into_iter()
            .enumerate()
            .filter(|(_, w)| !w.is_empty())
            .map(|(index, words)| Named { index, words })
            .collect()
    };
    Some(Candidate {
        line: sentence.line,
        sentence: sentence.text.clone(),
        meeting,
        participants: if meeting { participants } else { vec![] },
        parties: collect(parties),
        issues: collect(issues),
        plan,
        quotes: quotes(&sentence.text),
        speaker,
        reading,
        cues,
        day: day_of(&ws, date),
    })
}

/// Words as written, joined by spaces.
fn phrase(ws: &[Word<'_>]) -> String {
    ws.iter().map(|w| w.text).collect::<Vec<_>>().join(" ")
}

/// The quotations of a sentence (curly or straight double quotes), without their marks.
fn quotes(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut open: Option<(usize, char)> = None;
    for (i, c) in text.char_indices() {
        match (open, c) {
            (None, OPEN_QUOTE) => open = Some((i + c.len_utf8(), CLOSE_QUOTE)),
            (None, '"') => open = Some((i + 1, '"')),
            (Some((from, close)), c) if c == close => {
                let q = text[from..i].trim().trim_end_matches([',', '.']).trim();
                if !q.is_empty() {
                    out.push(q.to_string());
                }
                open = None;
            }
            _ => {}
        }
    }
    out
}

/// The cue words of a sentence, longest first at each word; a softening or hardening word
/// within three words after a negation is turned around and reported with it.
fn cues(ws: &[Word<'_>], names: &Names) -> Vec<Cue> {
    let mut out = vec![];
    let mut k = 0;
    // Where the last cue or clause ended: a negation before it turns nothing around.
    let mut since = 0;
    while k < ws.len() {
        let Some((kind, n)) = names.cues.at(ws, k) else {
            if ws[k].glue_after.is_some_and(|c| matches!(c, ',' | ';' | ':')) {
                since = k + 1;
            }
            k += 1;
            continue;
        };
        let negated = (k.saturating_sub(3).max(since)..k).rev().find(|&j| negation(&ws[j]));
        let (kind, from) = match (kind, negated) {
            (CueKind::Softens, Some(j)) => (CueKind::Hardens, j),
            (CueKind::Hardens, Some(j)) if !ws[k].lower.starts_with("no") => (CueKind::Softens, j),
            _ => (kind, k),
        };
        out.push(Cue { words: phrase(&ws[from..k + n]), kind });
        k += n;
        since = k;
    }
    out
}

/// Whether a word negates what follows: "no", "not", "without", the "t" of "don't".
fn negation(w: &Word<'_>) -> bool {
    NEGATIONS.contains(&w.lower.as_str())
        || (w.lower == "t" && w.glue_before.is_some_and(|c| matches!(c, '\'' | '\u{2019}')))
}

/// The reading the cues suggest: the balance of softening and hardening words, unless the
/// restatements at least match it (a restated position holds).
fn reading(cues: &[Cue]) -> Reading {
    let count = |kind| cues.iter().filter(|c| c.kind == kind).count() as i64;
    let balance = count(CueKind::Softens) - count(CueKind::Hardens);
    let holds = count(CueKind::Holds);
    if balance == 0 || holds >= balance.abs() {
        Reading::Holds
    } else if balance > 0 {
        Reading::Softens
    } else {
        Reading::Hardens
    }
}

/// The run of capitalised words ending at word `end` (inclusive), going back; the words
/// that begin a sentence without naming anyone are not part of it.
fn run_back(ws: &[Word<'_>], end: usize) -> usize {
    let mut start = end;
    while start > 0 {
        let w = &ws[start - 1];
        if !w.capital || w.possessive || w.glue_after.is_some_and(|c| c != '-') {
            break;
        }
        start -= 1;
    }
    while start < end && NOT_NAMES.contains(&ws[start].lower.as_str()) {
        start += 1;
    }
    start
}

/// The run of capitalised words beginning at word `start`, going forward: its end
/// (exclusive).
fn run_forward(ws: &[Word<'_>], start: usize) -> usize {
    let mut end = start;
    while end < ws.len() && ws[end].capital {
        end += 1;
        if ws[end - 1].possessive || ws[end - 1].glue_after.is_some_and(|c| c != '-') {
            break;
        }
    }
    end
}

/// Whether word `k` can be part of a name: capitalised, and not a sentence's opening word
/// that names no one.
fn namelike(ws: &[Word<'_>], k: usize) -> bool {
    ws[k].capital && !NOT_NAMES.contains(&ws[k].lower.as_str()) && !ws[k].quoted
}

/// The speaker: the name right before the first verb of saying outside a quotation ("Yuri
/// Ushakov said", "Ukrainian officials, speaking on background, said", going back at most
/// eight words), or right after it ("said Ushakov", "according to the Kremlin"); a pronoun
/// is the last speaker named before. Updates the last speaker.
fn speaker(
    ws: &[Word<'_>],
    names: &Names,
    last: &mut Option<(String, Option<usize>)>,
) -> Option<Speaker> {
    let v = (0..ws.len()).find(|&k| !ws[k].quoted && SAYING.contains(&ws[k].lower.as_str()))?;
    let found = |from: usize, to: usize| -> (String, Option<usize>) {
        let mut to = to;
        // A group noun after the name: "Ukrainian officials".
        if to < ws.len() && GROUPS.contains(&ws[to].lower.as_str()) && to < v {
            to += 1;
        }
        let mut from = from;
        if from < to && ws[from].lower == "the" {
            from += 1;
        }
        (phrase(&ws[from..to]), names.party_in(&ws[from..to]))
    };
    let mut result = None;
    // After: "said Ushakov", "according to X".
    let after = if ws[v].lower == "according" && ws.get(v + 1).is_some_and(|w| w.lower == "to") {
        v + 2
    } else {
        v + 1
    };
    let before_quote = v > 0 && ws[v - 1].quoted;
    if (ws[v].lower == "according" || before_quote || v == 0) && after < ws.len() {
        let mut a = after;
        if ws[a].lower == "the" {
            a += 1;
        }
        if a < ws.len() && namelike(ws, a) {
            result = Some(found(a, run_forward(ws, a)));
        }
    }
    if result.is_none() && v > 0 {
        let lower = v.saturating_sub(8);
        let pronoun = |k: usize| !ws[k].quoted && PRONOUNS.contains(&ws[k].lower.as_str());
        if let Some(k) = (lower..v).rev().find(|&k| namelike(ws, k) || pronoun(k)) {
            if PRONOUNS.contains(&ws[k].lower.as_str()) {
                let (name, party) = last.clone()?;
                return Some(Speaker { name, party, from: SpeakerFrom::Pronoun });
            }
            let start = run_back(ws, k);
            if start <= k {
                result = Some(found(start, k + 1));
            }
        }
    }
    let (name, party) = result.filter(|(n, _)| !n.is_empty())?;
    *last = Some((name.clone(), party));
    Some(Speaker { name, party, from: SpeakerFrom::Text })
}

/// The participants of a meeting the sentence reports: the names listed after "between"
/// or "with" ("a meeting between A, B and C's adviser D"), the names joined by dashes
/// before the word ("Putin-Kushner talks"), and the name before "met" with those after it.
/// A meeting said not to happen ("no meeting", "not meet") has none.
fn participants(ws: &[Word<'_>], names: &Names) -> Vec<Participant> {
    let Some(m) = (0..ws.len()).find(|&k| MEETING.contains(&ws[k].lower.as_str())) else {
        return vec![];
    };
    if (m.saturating_sub(2)..m).any(|j| negation(&ws[j])) {
        return vec![];
    }
    let mut out = vec![];
    let add = |out: &mut Vec<Participant>, from: usize, to: usize| {
        if from < to {
            let name = phrase(&ws[from..to]);
            if !out.iter().any(|p: &Participant| p.name == name) {
                out.push(Participant { name, party: names.party_in(&ws[from..to]) });
            }
        }
    };
    // Names joined by dashes right before the word: "Putin–Kushner Talks".
    let mut k = m;
    let mut joined = vec![];
    while k > 0 && ws[k - 1].capital && names.party_in(&ws[k - 1..k]).is_some() {
        joined.push(k - 1);
        k -= 1;
        if !ws[k].glue_before.is_some_and(|c| matches!(c, '-' | '\u{2013}' | '\u{2014}')) {
            break;
        }
    }
    if joined.len() >= 2 {
        for &j in joined.iter().rev() {
            add(&mut out, j, j + 1);
        }
    }
    // "met": the name before it too.
    if matches!(ws[m].lower.as_str(), "met" | "meets" | "meet") && m > 0 && namelike(ws, m - 1) {
        let start = run_back(ws, m - 1);
        add(&mut out, start, m);
    }
    // The list after "between" or "with" (or right after "met").
    let list_start = (m + 1..ws.len().min(m + 4))
        .find(|&k| matches!(ws[k].lower.as_str(), "between" | "with"))
        .map(|k| k + 1)
        .or_else(|| matches!(ws[m].lower.as_str(), "met" | "meets").then_some(m + 1));
    if let Some(mut k) = list_start {
        let mut after_possessive = false;
        while k < ws.len() {
            let w = &ws[k];
            if w.lower == "and" || w.lower == "the" {
                k += 1;
                continue;
            }
            if namelike(ws, k) {
                let end = run_forward(ws, k);
                if ws[end - 1].possessive {
                    after_possessive = true; // "Trump's son-in-law Jared Kushner"
                } else {
                    add(&mut out, k, end);
                    after_possessive = false;
                    if ws[end - 1].glue_after.is_some_and(|c| c != ',') {
                        break;
                    }
                }
                k = end;
                continue;
            }
            if after_possessive {
                k += 1;
                continue;
            }
            break;
        }
    }
    out
}

/// The day a sentence names, read against the article's date: `YYYY-MM-DD`, "2 December
/// [2025]", "December 2[, 2025]", "yesterday", "today", a weekday ("on Tuesday": the last
/// such day on or before the article's); else the article's date.
fn day_of(ws: &[Word<'_>], date: Option<Day>) -> Option<(Day, DateFrom)> {
    let month = |w: &Word<'_>| {
        MONTHS.iter().position(|m| {
            *m == w.lower || (w.lower.len() >= 3 && m.starts_with(&w.lower) && w.lower.len() <= 4)
        })
    };
    let number = |w: &Word<'_>, max: u32| -> Option<u32> {
        let d: u32 = w.text.parse().ok()?;
        (1..=max).contains(&d).then_some(d)
    };
    let year_of = |m: u32, k: usize| -> Option<u32> {
        if let Some(y) = ws.get(k).and_then(|w| number(w, 9999)).filter(|y| *y >= 1900) {
            return Some(y);
        }
        let (y, am, _) = date?;
        Some(if m > am { y - 1 } else { y })
    };
    for (k, w) in ws.iter().enumerate() {
        if let Some(d) = detente_core::day(w.text) {
            return Some((d, DateFrom::Text));
        }
        // "2 December [2025]"
        if let Some(d) = number(w, 31)
            && let Some(m) = ws.get(k + 1).and_then(month)
            && ws[k + 1].capital
        {
            let m = m as u32 + 1;
            if let Some(y) = year_of(m, k + 2) {
                return Some(((y, m, d), DateFrom::Text));
            }
        }
        // "December 2[, 2025]"
        if w.capital
            && let Some(m) = month(w)
            && let Some(d) = ws.get(k + 1).and_then(|x| number(x, 31))
        {
            let m = m as u32 + 1;
            if let Some(y) = year_of(m, k + 2) {
                return Some(((y, m, d), DateFrom::Text));
            }
        }
        let Some(article) = date else { continue };
        match w.lower.as_str() {
            "yesterday" => return Some((add_days(article, -1), DateFrom::Text)),
            "today" => return Some((article, DateFrom::Text)),
            _ => {}
        }
        if let Some(wd) = WEEKDAYS.iter().position(|d| *d == w.lower)
            && w.capital
        {
            let today = weekday(article);
            let back = (today + 7 - wd) % 7;
            return Some((add_days(article, -(back as i64)), DateFrom::Text));
        }
    }
    date.map(|d| (d, DateFrom::Article))
}

fn add_days(day: Day, n: i64) -> Day {
    civil_from_days(days_from_civil(day) + n)
}

/// 0 for Monday.
fn weekday(day: Day) -> usize {
    // 1970-01-01 was a Thursday (3).
    (days_from_civil(day) + 3).rem_euclid(7) as usize
}

/// A day written `YYYY-MM-DD`.
pub fn day_text((y, m, d): Day) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

// ---------------------------------------------------------------------------------------
// The candidates as TOML

/// The id of the article's source: `ART-` and the text's fingerprint (the same article
/// ingested twice gives the same id, which the file then refuses as a duplicate).
pub fn source_id(article: &Article) -> String {
    format!("ART-{}", article.fingerprint)
}

/// The candidates as TOML to append to the scenario file: the article as a candidate
/// source and each candidate as a candidate event (`candidate = true`), each after a
/// comment with its line, its suggested reading and the words behind it. Every command
/// ignores them until the analyst confirms one by deleting its `candidate = true` (and the
/// source's). `file`: the article's name, for the comments. A candidate with no day gets
/// `date = "YYYY-MM-DD"`, which the analyst must fill in (the file does not read until
/// then).
pub fn candidates_toml(article: &Article, s: &Scenario, file: &str) -> String {
    use crate::toml_out::string;
    let id = source_id(article);
    let mut out = String::new();
    let head = format!(
        "detente ingest {file}: {} candidate{}, suggestions from keywords, not a reading of the text: check each against the article. Confirm one by deleting its `candidate = true` (and the source's); delete the ones you reject.",
        article.candidates.len(),
        if article.candidates.len() == 1 { "" } else { "s" }
    );
    out.push('\n');
    for part in fold(&head, LINE - 2) {
        out.push_str(&format!("# {part}\n"));
    }
    out.push_str("[[sources]]\n");
    out.push_str(&format!("id = {}\n", string(&id)));
    let title = if article.title.is_empty() { file.to_string() } else { article.title.clone() };
    out.push_str(&long_line("title", &title));
    if let Some(d) = article.date {
        out.push_str(&format!("date = {}\n", string(&day_text(d))));
    }
    out.push_str("candidate = true\n");
    for c in &article.candidates {
        out.push('\n');
        for line in comment(c, s) {
            for part in fold(&line, LINE - 2) {
                out.push_str(&format!("# {part}\n"));
            }
        }
        out.push_str("[[events]]\ncandidate = true\n");
        let date = c.day.map_or("YYYY-MM-DD".to_string(), |(d, _)| day_text(d));
        out.push_str(&format!("date = {}\n", string(&date)));
        out.push_str(&long_line("title", &event_title(c, s)));
        let ids = |list: Vec<&str>| list.iter().map(|x| string(x)).collect::<Vec<_>>().join(", ");
        let parties: Vec<&str> = if c.meeting {
            let mut v: Vec<usize> = c.participants.iter().filter_map(|p| p.party).collect();
            v.sort_unstable();
            v.dedup();
            v.into_iter().map(|p| s.parties()[p].id.as_str()).collect()
        } else {
            c.parties.iter().map(|p| s.parties()[p.index].id.as_str()).collect()
        };
        out.push_str(&format!("parties = [{}]\n", ids(parties)));
        if !c.issues.is_empty() {
            let issues = c.issues.iter().map(|i| s.issues()[i.index].id.as_str()).collect();
            out.push_str(&format!("issues = [{}]\n", ids(issues)));
        }
        out.push_str("[[events.evidence]]\n");
        out.push_str(&format!("source = {}\n", string(&id)));
        out.push_str(&long_line("note", &note(c)));
    }
    out
}

/// The longest line written: text printers wrap longer lines, which would break TOML.
const LINE: usize = 96;

/// Words joined into lines of at most `width` characters (a longer word alone).
fn fold(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut line = String::new();
    for w in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + w.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    out.push(line);
    out
}

/// `key = "value"` and a line feed; a value too long for one line of [`LINE`] characters
/// is written as a multi-line string whose lines end in a backslash (TOML joins them,
/// dropping the line feed and the indentation, keeping the space before the backslash).
fn long_line(key: &str, value: &str) -> String {
    use crate::toml_out::{escape, string};
    let one = format!("{key} = {}\n", string(value));
    if one.chars().count() <= LINE {
        return one;
    }
    let mut escaped = String::new();
    for c in value.chars() {
        escape(&mut escaped, c);
    }
    let mut out = format!("{key} = \"\"\"\\\n");
    let lines = fold(&escaped, LINE - 4);
    let n = lines.len();
    for (k, l) in lines.into_iter().enumerate() {
        out.push_str("  ");
        out.push_str(&l);
        if k + 1 < n {
            out.push_str(" \\\n");
        }
    }
    out.push_str("\"\"\"\n");
    out
}

/// The comment above a candidate event: its line, day, reading and words.
fn comment(c: &Candidate, s: &Scenario) -> Vec<String> {
    let mut out = vec![];
    let day = match c.day {
        Some((_, DateFrom::Text)) => "dated by the text",
        Some((_, DateFrom::Article)) => {
            "the text names no day: dated by the article (it may be earlier)"
        }
        None => "no day known: fill in the date",
    };
    out.push(format!("line {}: {day}", c.line));
    if c.meeting {
        let who: Vec<String> = c
            .participants
            .iter()
            .map(|p| match p.party {
                Some(x) => format!("{} ({})", p.name, s.parties()[x].id),
                None => p.name.clone(),
            })
            .collect();
        out.push(format!("a meeting of {}", who.join(", ")));
    }
    out.push(format!("suggested reading: {}{}", c.reading.as_str(), cue_words(&c.cues)));
    out
}

/// ` (from "a", "b"; red line: "c")` or ` (no cue words)`.
pub fn cue_words(cues: &[Cue]) -> String {
    if cues.is_empty() {
        return " (no cue words)".to_string();
    }
    let mut parts = vec![];
    for kind in [CueKind::Holds, CueKind::Hardens, CueKind::Softens, CueKind::RedLine] {
        let ws: Vec<String> =
            cues.iter().filter(|c| c.kind == kind).map(|c| format!("\"{}\"", c.words)).collect();
        if !ws.is_empty() {
            parts.push(format!("{} {}", kind.as_str().replace('_', " "), ws.join(", ")));
        }
    }
    format!(" (words: {})", parts.join("; "))
}

/// A line saying what the candidate is: the speaker and the sentence, shortened.
fn event_title(c: &Candidate, s: &Scenario) -> String {
    let _ = s;
    let text = shorten(&c.sentence, 150);
    match &c.speaker {
        Some(sp) if !c.sentence.contains(&sp.name) => format!("{}: {text}", sp.name),
        _ => text,
    }
}

/// The evidence note: the quotations (or the sentence), with the speaker.
fn note(c: &Candidate) -> String {
    let said = if c.quotes.is_empty() {
        c.sentence.clone()
    } else {
        c.quotes.iter().map(|q| format!("\u{201c}{q}\u{201d}")).collect::<Vec<_>>().join(" ... ")
    };
    match &c.speaker {
        Some(sp) => format!("{}: {said}", sp.name),
        None => said,
    }
}

/// A text cut at a word boundary to at most `max` characters, with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}...", cut.trim_end_matches([',', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, parse};

    const SCENARIO: &str = r#"
version = 1
[scenario]
name = "toy"
title = "Toy"

[[parties]]
id = "russia"
name = "Russia"
role = "principal"
aliases = ["the Kremlin", "Moscow", "Putin", "Ushakov", "Russian"]

[[parties]]
id = "ukraine"
name = "Ukraine"
role = "principal"
aliases = ["Kyiv", "Zelensky", "Ukrainian"]

[[parties]]
id = "us"
name = "United States"
role = "mediator"
aliases = ["US", "Washington", "Witkoff", "Kushner", "Trump", "White House"]

[[issues]]
id = "TER-03"
name = "Donbas"
aliases = ["Donetsk"]
options = [{ id = "keep", label = "Keep" }, { id = "cede", label = "Cede" }]

[[issues]]
id = "SEC-01"
name = "NATO membership"
aliases = ["NATO"]
options = [{ id = "no", label = "No" }, { id = "yes", label = "Yes" }]
"#;

    fn toy() -> Scenario {
        parse("toy.toml", SCENARIO.as_bytes(), Format::Toml).unwrap()
    }

    fn read(text: &str, date: Option<Day>) -> Article {
        read_article("a.txt", text, &toy(), date).unwrap()
    }

    fn texts(text: &str) -> Vec<String> {
        sentences(text).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn sentences_are_split_at_stops_lines_and_not_inside_quotes() {
        assert_eq!(
            texts("Headline here\nMr. Smith met Dr. Jones. They talked! Was it 3.5? Yes."),
            ["Headline here", "Mr. Smith met Dr. Jones.", "They talked!", "Was it 3.5?", "Yes."]
        );
        // A quotation with full stops inside stays one sentence; so does a wrapped line.
        assert_eq!(
            texts(
                "\u{201c}We will not. Never.\u{201d} he said. The U.S. envoy\nagreed. J. Smith left."
            ),
            [
                "\u{201c}We will not. Never.\u{201d} he said.",
                "The U.S. envoy agreed.",
                "J. Smith left."
            ]
        );
        // A quotation that ends a sentence ends it.
        assert_eq!(
            texts("It was \u{201c}impossible.\u{201d} He left. \"Fine.\" She stayed."),
            ["It was \u{201c}impossible.\u{201d}", "He left.", "\"Fine.\"", "She stayed."]
        );
        let lines: Vec<usize> = sentences("Ay.\n\nBee. Cee.\nDee").iter().map(|s| s.line).collect();
        assert_eq!(lines, [1, 3, 3, 4]);
    }

    #[test]
    fn quotes_and_speakers() {
        let a = read(
            "Ushakov said the talks on Donbas were \u{201c}useful\u{201d}. \u{201c}There is much work on the Donetsk terms,\u{201d} he said. Ukrainian officials, speaking on background, said Kyiv rejects the plan.",
            None,
        );
        let c = &a.candidates;
        assert_eq!(c.len(), 3, "{c:#?}");
        assert_eq!(c[0].speaker.as_ref().unwrap().name, "Ushakov");
        assert_eq!(c[0].quotes, ["useful"]);
        let he = c[1].speaker.as_ref().unwrap();
        assert_eq!(
            (he.name.as_str(), he.party, he.from),
            ("Ushakov", Some(0), SpeakerFrom::Pronoun)
        );
        assert_eq!(c[1].quotes, ["There is much work on the Donetsk terms"]);
        // The speaker names the party even when the sentence does not.
        assert_eq!(c[1].parties[0].index, 0);
        let officials = c[2].speaker.as_ref().unwrap();
        assert_eq!((officials.name.as_str(), officials.party), ("Ukrainian officials", Some(1)));
        // "said X" after a quotation.
        let a = read("\u{201c}No NATO,\u{201d} said Vladimir Putin.", None);
        assert_eq!(a.candidates[0].speaker.as_ref().unwrap().name, "Vladimir Putin");
    }

    #[test]
    fn readings_from_words() {
        let r = |t: &str| read(t, None).candidates[0].clone();
        let c = r("Moscow rejects any change on Donbas.");
        assert_eq!(c.reading, Reading::Hardens);
        assert_eq!(c.cues, [Cue { words: "rejects".into(), kind: CueKind::Hardens }]);
        let c = r("Kyiv is ready to compromise on NATO.");
        assert_eq!(c.reading, Reading::Softens);
        // A negated softening word hardens; a restatement holds.
        let c = r("The Kremlin saw no progress on NATO.");
        assert_eq!((c.reading, c.cues[0].words.as_str()), (Reading::Hardens, "no progress"));
        let c = r("Putin reiterated that no agreement is possible unless Kyiv leaves Donbas.");
        assert_eq!(c.reading, Reading::Holds);
        assert!(c.red_line());
        // Both ways at once: holds, and both words are shown.
        let c = r("Putin agreed with parts of the plan but was dissatisfied with NATO terms.");
        assert_eq!(c.reading, Reading::Holds);
        let kinds: Vec<CueKind> = c.cues.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [CueKind::Softens, CueKind::Hardens]);
        // Case: "US" is a party, "us" is not.
        assert!(read("They told us about NATO.", None).candidates.is_empty());
    }

    #[test]
    fn meetings_their_participants_and_days() {
        let a = read(
            "A meeting between Vladimir Putin, Steve Witkoff, and Donald Trump\u{2019}s son-in-law Jared Kushner ended on Tuesday. No meeting between Putin and Trump is planned.",
            Some((2025, 12, 3)),
        );
        assert_eq!(a.candidates.len(), 1, "{:#?}", a.candidates);
        let m = &a.candidates[0];
        assert!(m.meeting);
        let who: Vec<(&str, Option<usize>)> =
            m.participants.iter().map(|p| (p.name.as_str(), p.party)).collect();
        assert_eq!(
            who,
            [("Vladimir Putin", Some(0)), ("Steve Witkoff", Some(2)), ("Jared Kushner", Some(2))]
        );
        // 2025-12-03 was a Wednesday: "on Tuesday" is the day before.
        assert_eq!(m.day, Some(((2025, 12, 2), DateFrom::Text)));
        let d = |t: &str| read(t, Some((2025, 12, 3))).candidates[0].day;
        assert_eq!(d("Putin met Witkoff on 2 December."), Some(((2025, 12, 2), DateFrom::Text)));
        assert_eq!(d("Putin met Witkoff on November 30."), Some(((2025, 11, 30), DateFrom::Text)));
        assert_eq!(d("Putin met Witkoff yesterday."), Some(((2025, 12, 2), DateFrom::Text)));
        assert_eq!(d("Putin met Witkoff."), Some(((2025, 12, 3), DateFrom::Article)));
        assert_eq!(d("Putin met Witkoff on 2026-01-05."), Some(((2026, 1, 5), DateFrom::Text)));
        // A month without a year: the last such month on or before the article's.
        assert_eq!(d("Putin met Witkoff on 20 January."), Some(((2025, 1, 20), DateFrom::Text)));
        assert_eq!(weekday((2025, 12, 3)), 2);
        assert_eq!(add_days((2025, 3, 1), -1), (2025, 2, 28));
    }

    #[test]
    fn bad_articles_are_located_errors() {
        let e = read_article("a.txt", " \n\t", &toy(), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.txt:1:1: the article is empty (give the text of a news article, plain text)"
        );
        let big = "a".repeat(MAX_ARTICLE + 1);
        assert!(
            read_article("a.txt", &big, &toy(), None).unwrap_err().to_string().contains("at most")
        );
        // Nothing named: no candidate, no error.
        assert!(read("It rained.", None).candidates.is_empty());
    }

    #[test]
    fn candidates_read_back_as_nothing_until_confirmed() {
        let s = toy();
        let a =
            read("Moscow rejects any change on Donbas. Putin met Witkoff.", Some((2025, 12, 3)));
        let toml = candidates_toml(&a, &s, "a.txt");
        let with = format!("{SCENARIO}{toml}");
        let back = parse("toy.toml", with.as_bytes(), Format::Toml).unwrap();
        assert_eq!(back, s, "unconfirmed candidates change nothing:\n{toml}");
        let confirmed = with.replace("candidate = true\n", "");
        let back = parse("toy.toml", confirmed.as_bytes(), Format::Toml).unwrap();
        assert_eq!(back.history().events.len(), 2);
        assert_eq!(back.history().events[1].parties, [0, 2]);
        assert_eq!(back.sources()[0].id, source_id(&a));
    }

    #[test]
    fn reading_is_linear() {
        // Many sentences, each naming parties and points with cue words: the work per
        // byte stays flat (a quadratic reader would take minutes here).
        let one = "Ushakov said Moscow rejects the plan on Donbas, \u{201c}never\u{201d}. ";
        let text = one.repeat(5_000);
        let a = read(&text, None);
        assert_eq!(a.candidates.len(), 5_000);
        let long = format!("{}.", "word ".repeat(50_000));
        assert!(read(&long, None).candidates.is_empty());
    }
}
