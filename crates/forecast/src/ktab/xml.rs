//! KTAB's SMP XML format (`smpSchema.xsd`).
//!
//! # Format
//!
//! ```xml
//! <Scenario>
//!   <name>..</name> <desc>..</desc> <prngSeed>decimal u64</prngSeed>
//!   <ModelParameters>                      optional; every child optional here
//!     <VictoryProbModel>Linear</VictoryProbModel> <PCEModel>..</PCEModel>
//!     <StateTransitions>..</StateTransitions> <VotingRule>..</VotingRule>
//!     <BigRAdjust>..</BigRAdjust> <BigRRange>..</BigRRange>
//!     <ThirdPartyCommit>..</ThirdPartyCommit> <InterVecBrgn>..</InterVecBrgn>
//!     <BargnModel>..</BargnModel>
//!   </ModelParameters>
//!   <Dimensions><dName>..</dName>*</Dimensions>       optional: names d1, d2, ...
//!   <Actors><Actor>
//!     <name/> <description/> <capability>0..1000</capability>
//!     <Position><dCoord>0..100</dCoord>*</Position> <Salience><dSal>0..100</dSal>*</Salience>
//!   </Actor>*</Actors>
//!   <IdealAdjustment>                      optional: identity (ideals follow positions)
//!     <iaPair><adjustingIdeal>name</adjustingIdeal><referencePos>name</referencePos>
//!             <adjust>decimal</adjust></iaPair>*
//!   </IdealAdjustment>
//! </Scenario>
//! ```

use roxmltree::{Document, Node};

use std::collections::{HashMap, HashSet};

use super::{Info, number, shown, shown_value};
use crate::error::{Error, ErrorKind};
use crate::input::{Actor, SmpInput};
use crate::params::{
    BargainModel, BigRAdjust, BigRRange, IdealAdjustment, InterVecBargain, PceModel, SmpParams,
    StateTransitions, ThirdPartyCommit, VictoryProbModel, VotingRule,
};

/// The largest capability `smpSchema.xsd` allows.
const MAX_XML_CAPABILITY: f64 = 1000.0;

/// Reads a KTAB SMP XML file; `file` names it in messages. Options missing from the file
/// take KTAB's defaults ([`SmpParams::default`]); a missing `IdealAdjustment` means the
/// identity.
///
/// ```
/// let xml = r#"<Scenario><name>t</name><desc/><prngSeed>7</prngSeed>
///   <ModelParameters><VotingRule>PropCbc</VotingRule></ModelParameters>
///   <Dimensions><dName>X</dName></Dimensions>
///   <Actors>
///     <Actor><name>a</name><description/><capability>10</capability>
///       <Position><dCoord>20</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
///     <Actor><name>b</name><description/><capability>30</capability>
///       <Position><dCoord>80</dCoord></Position><Salience><dSal>40</dSal></Salience></Actor>
///   </Actors></Scenario>"#;
/// let (input, params) = detente_forecast::ktab::parse_xml("t.xml", xml)?;
/// assert_eq!(params.voting_rule, detente_forecast::VotingRule::PropCbc);
/// assert_eq!(params.seed, 7);
/// assert!(params.ideal_adjustment.is_empty());
/// assert_eq!(input.positions, [[20.0], [80.0]]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_xml(file: &str, text: &str) -> Result<(SmpInput, SmpParams), Error> {
    parse_xml_with_info(file, text).map(|(input, params, _)| (input, params))
}

/// [`parse_xml`], also returning the scenario's name and description.
pub fn parse_xml_with_info(file: &str, text: &str) -> Result<(SmpInput, SmpParams, Info), Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = Document::parse(text).map_err(|e| {
        let p = e.pos();
        let msg = e.to_string();
        let msg = msg.strip_suffix(&format!(" at {}:{}", p.row, p.col)).unwrap_or(&msg);
        Error::at(
            ErrorKind::Syntax,
            file,
            p.row as usize,
            p.col as usize,
            format!("not well-formed xml: {msg}"),
        )
    })?;
    let r = Reader { file, doc: &doc };
    r.scenario()
}

struct Reader<'a, 'input> {
    file: &'a str,
    doc: &'a Document<'input>,
}

impl Reader<'_, '_> {
    fn err(&self, node: Node, kind: ErrorKind, msg: impl Into<String>) -> Error {
        let p = self.doc.text_pos_at(node.range().start);
        Error::at(kind, self.file, p.row as usize, p.col as usize, msg)
    }

    fn elements<'n, 'i>(node: Node<'n, 'i>) -> impl Iterator<Item = Node<'n, 'i>> {
        node.children().filter(|c| c.is_element())
    }

    fn unknown(&self, node: Node, parent: &str) -> Error {
        self.err(
            node,
            ErrorKind::Syntax,
            format!("unknown element <{}> in <{parent}>", node.tag_name().name()),
        )
    }

    fn text<'n>(node: Node<'n, '_>) -> &'n str {
        node.text().unwrap_or("").trim()
    }

    fn child<'n, 'i>(&self, node: Node<'n, 'i>, name: &str) -> Result<Node<'n, 'i>, Error> {
        Self::elements(node).find(|c| c.has_tag_name(name)).ok_or_else(|| {
            self.err(
                node,
                ErrorKind::Missing,
                format!("<{}> needs a <{name}> element", node.tag_name().name()),
            )
        })
    }

    fn scenario(&self) -> Result<(SmpInput, SmpParams, Info), Error> {
        let root = self.doc.root_element();
        if !root.has_tag_name("Scenario") {
            return Err(self.err(
                root,
                ErrorKind::Syntax,
                format!("the root element must be <Scenario>, found <{}>", root.tag_name().name()),
            ));
        }
        let mut info = Info::default();
        let mut params = SmpParams::default();
        let mut dims: Option<Vec<String>> = None;
        let mut actors_node = None;
        let mut ia_node = None;
        for c in Self::elements(root) {
            match c.tag_name().name() {
                "name" => info.name = Self::text(c).to_string(),
                "desc" => info.description = Self::text(c).to_string(),
                "prngSeed" => {
                    params.seed = Self::text(c).parse().map_err(|_| {
                        self.err(
                            c,
                            ErrorKind::NotANumber,
                            format!(
                                "prngSeed {} is not a whole number in [0, 2^64)",
                                shown(Self::text(c))
                            ),
                        )
                    })?;
                }
                "ModelParameters" => self.model_parameters(c, &mut params)?,
                "Dimensions" => {
                    let mut names = Vec::new();
                    let mut seen = HashSet::new();
                    for d in Self::elements(c) {
                        if !d.has_tag_name("dName") {
                            return Err(self.unknown(d, "Dimensions"));
                        }
                        let name = Self::text(d).to_string();
                        if name.is_empty() {
                            return Err(self.err(
                                d,
                                ErrorKind::Empty,
                                format!("empty name of dimension {}", names.len() + 1),
                            ));
                        }
                        if !seen.insert(name.clone()) {
                            return Err(self.err(
                                d,
                                ErrorKind::Duplicate,
                                format!("duplicate dimension name {}", shown(&name)),
                            ));
                        }
                        names.push(name);
                    }
                    if names.is_empty() {
                        return Err(self.err(
                            c,
                            ErrorKind::Missing,
                            "<Dimensions> names no dimension",
                        ));
                    }
                    dims = Some(names);
                }
                "Actors" => actors_node = Some(c),
                "IdealAdjustment" => ia_node = Some(c),
                _ => return Err(self.unknown(c, "Scenario")),
            }
        }
        let Some(actors_node) = actors_node else {
            return Err(self.err(root, ErrorKind::Missing, "<Scenario> needs an <Actors> element"));
        };
        let input = self.actors(actors_node, dims)?;
        if let Some(ia) = ia_node {
            params.ideal_adjustment = self.ideal_adjustment(ia, &input)?;
            params
                .accommodation_named(
                    &input.actors.iter().map(|a| shown(&a.name)).collect::<Vec<_>>(),
                )
                .map_err(|e| self.err(ia, e.kind(), e.message()))?;
        }
        input.validate().map_err(|e| self.err(actors_node, e.kind(), e.message()))?;
        Ok((input, params, info))
    }

    fn model_parameters(&self, node: Node, params: &mut SmpParams) -> Result<(), Error> {
        fn pick<T: Copy>(
            r: &Reader,
            c: Node,
            parse: fn(&str) -> Option<T>,
            all: &[T],
            keyword: fn(T) -> &'static str,
        ) -> Result<T, Error> {
            let s = Reader::text(c);
            parse(s).ok_or_else(|| {
                let expected: Vec<&str> = all.iter().map(|&v| keyword(v)).collect();
                r.err(
                    c,
                    ErrorKind::Unknown,
                    format!(
                        "unknown {} {}: expected one of {}",
                        c.tag_name().name(),
                        shown(s),
                        expected.join(", ")
                    ),
                )
            })
        }
        for c in Self::elements(node) {
            match c.tag_name().name() {
                "VictoryProbModel" => {
                    params.victory_prob = pick(
                        self,
                        c,
                        VictoryProbModel::parse,
                        VictoryProbModel::ALL,
                        VictoryProbModel::keyword,
                    )?;
                }
                "PCEModel" => {
                    params.pce = pick(self, c, PceModel::parse, PceModel::ALL, PceModel::keyword)?
                }
                "StateTransitions" => {
                    params.transitions = pick(
                        self,
                        c,
                        StateTransitions::parse,
                        StateTransitions::ALL,
                        StateTransitions::keyword,
                    )?;
                }
                "VotingRule" => {
                    params.voting_rule =
                        pick(self, c, VotingRule::parse, VotingRule::ALL, VotingRule::keyword)?;
                }
                "BigRAdjust" => {
                    params.big_r_adjust =
                        pick(self, c, BigRAdjust::parse, BigRAdjust::ALL, BigRAdjust::keyword)?;
                }
                "BigRRange" => {
                    params.big_r_range =
                        pick(self, c, BigRRange::parse, BigRRange::ALL, BigRRange::keyword)?;
                }
                "ThirdPartyCommit" => {
                    params.third_party_commit = pick(
                        self,
                        c,
                        ThirdPartyCommit::parse,
                        ThirdPartyCommit::ALL,
                        ThirdPartyCommit::keyword,
                    )?;
                }
                "InterVecBrgn" => {
                    params.inter_vec_bargain = pick(
                        self,
                        c,
                        InterVecBargain::parse,
                        InterVecBargain::ALL,
                        InterVecBargain::keyword,
                    )?;
                }
                "BargnModel" => {
                    params.bargain_model = pick(
                        self,
                        c,
                        BargainModel::parse,
                        BargainModel::ALL,
                        BargainModel::keyword,
                    )?;
                }
                _ => return Err(self.unknown(c, "ModelParameters")),
            }
        }
        Ok(())
    }

    fn actors(&self, node: Node, dims: Option<Vec<String>>) -> Result<SmpInput, Error> {
        let mut dims = dims;
        let mut actors: Vec<Actor> = Vec::new();
        let mut positions = Vec::new();
        let mut salience = Vec::new();
        let mut seen = HashSet::new();
        for a in Self::elements(node) {
            if !a.has_tag_name("Actor") {
                return Err(self.unknown(a, "Actors"));
            }
            for c in Self::elements(a) {
                if !matches!(
                    c.tag_name().name(),
                    "name" | "description" | "capability" | "Position" | "Salience"
                ) {
                    return Err(self.unknown(c, "Actor"));
                }
            }
            let name_node = self.child(a, "name")?;
            let name = Self::text(name_node).to_string();
            if name.is_empty() {
                return Err(self.err(name_node, ErrorKind::Empty, "empty actor name"));
            }
            if !seen.insert(name.clone()) {
                return Err(self.err(
                    name_node,
                    ErrorKind::Duplicate,
                    format!("duplicate actor name {}", shown(&name)),
                ));
            }
            let who = format!("actor {}", shown(&name));
            let description = Self::elements(a)
                .find(|c| c.has_tag_name("description"))
                .map_or("", Self::text)
                .to_string();
            let cap_node = self.child(a, "capability")?;
            let capability = self.value(cap_node, &who, "capability", MAX_XML_CAPABILITY)?;
            let pos_node = self.child(a, "Position")?;
            let sal_node = self.child(a, "Salience")?;
            let coords: Vec<Node> = Self::elements(pos_node).collect();
            let sals: Vec<Node> = Self::elements(sal_node).collect();
            if let Some(c) = coords.iter().find(|c| !c.has_tag_name("dCoord")) {
                return Err(self.unknown(*c, "Position"));
            }
            if let Some(c) = sals.iter().find(|c| !c.has_tag_name("dSal")) {
                return Err(self.unknown(*c, "Salience"));
            }
            let names =
                dims.get_or_insert_with(|| (1..=coords.len()).map(|d| format!("d{d}")).collect());
            let k = names.len();
            if coords.len() != k {
                return Err(self.err(
                    pos_node,
                    ErrorKind::Count,
                    format!(
                        "{who}: {k} coordinates expected (one per dimension), found {}",
                        coords.len()
                    ),
                ));
            }
            if sals.len() != k {
                return Err(self.err(
                    sal_node,
                    ErrorKind::Count,
                    format!(
                        "{who}: {k} saliences expected (one per dimension), found {}",
                        sals.len()
                    ),
                ));
            }
            let mut pos = Vec::with_capacity(k);
            let mut sal = Vec::with_capacity(k);
            for d in 0..k {
                let at = format!("{who} dimension {:?}", names[d]);
                pos.push(self.value(coords[d], &at, "coordinate", 100.0)?);
                sal.push(self.value(sals[d], &at, "salience", 100.0)?);
            }
            let total: f64 = sal.iter().sum();
            if total > 100.0 * (1.0 + 1e-9) {
                return Err(self.err(
                    sal_node,
                    ErrorKind::OutOfRange,
                    format!("{who}: saliences sum to {total}, above 100"),
                ));
            }
            actors.push(Actor { name, description, capability });
            positions.push(pos);
            salience.push(sal);
        }
        let dimensions = dims.unwrap_or_default();
        Ok(SmpInput { actors, dimensions, positions, salience })
    }

    fn value(&self, node: Node, who: &str, kind: &str, max: f64) -> Result<f64, Error> {
        let s = Self::text(node);
        if s.is_empty() {
            return Err(self.err(node, ErrorKind::Empty, format!("{who}: empty {kind}")));
        }
        let Some(x) = number(s) else {
            return Err(self.err(
                node,
                ErrorKind::NotANumber,
                format!("{who}: {kind} {} is not a number", shown(s)),
            ));
        };
        if !(x.is_finite() && (0.0..=max).contains(&x)) {
            return Err(self.err(
                node,
                ErrorKind::OutOfRange,
                format!("{who}: {kind} {} outside [0, {max}]", shown_value(s, x)),
            ));
        }
        Ok(x)
    }

    fn ideal_adjustment(
        &self,
        node: Node,
        input: &SmpInput,
    ) -> Result<Vec<IdealAdjustment>, Error> {
        let by_name: HashMap<&str, usize> =
            input.actors.iter().enumerate().map(|(i, a)| (a.name.as_str(), i)).collect();
        let index = |c: Node| -> Result<usize, Error> {
            let name = Self::text(c);
            by_name.get(name).copied().ok_or_else(|| {
                self.err(
                    c,
                    ErrorKind::Unknown,
                    format!("<{}> names no actor: {}", c.tag_name().name(), shown(name)),
                )
            })
        };
        let mut out = Vec::new();
        for p in Self::elements(node) {
            if !p.has_tag_name("iaPair") {
                return Err(self.unknown(p, "IdealAdjustment"));
            }
            for c in Self::elements(p) {
                if !matches!(c.tag_name().name(), "adjustingIdeal" | "referencePos" | "adjust") {
                    return Err(self.unknown(c, "iaPair"));
                }
            }
            let adjusting = index(self.child(p, "adjustingIdeal")?)?;
            let reference = index(self.child(p, "referencePos")?)?;
            let adj_node = self.child(p, "adjust")?;
            let who = format!(
                "ideal adjustment of {} toward {}",
                shown(&input.actors[adjusting].name),
                shown(&input.actors[reference].name)
            );
            let adjust = self.value(adj_node, &who, "adjust", 1.0)?;
            out.push(IdealAdjustment { adjusting, reference, adjust });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Scenario>
  <name>t</name>
  <desc>d</desc>
  <prngSeed>03507583219545544127</prngSeed>
  <ModelParameters>
    <PCEModel>MarkovIncentive</PCEModel>
    <VotingRule>PropCbc</VotingRule>
  </ModelParameters>
  <Dimensions><dName>X</dName><dName>Y</dName></Dimensions>
  <Actors>
    <Actor><name>a</name><description>first</description><capability>10</capability>
      <Position><dCoord>20</dCoord><dCoord>30</dCoord></Position>
      <Salience><dSal>50</dSal><dSal>10</dSal></Salience></Actor>
    <Actor><name>b</name><description>second</description><capability>30</capability>
      <Position><dCoord>80</dCoord><dCoord>70</dCoord></Position>
      <Salience><dSal>40</dSal><dSal>10</dSal></Salience></Actor>
  </Actors>
  <IdealAdjustment>
    <iaPair><adjustingIdeal>a</adjustingIdeal><referencePos>a</referencePos><adjust>0.5</adjust></iaPair>
    <iaPair><adjustingIdeal>a</adjustingIdeal><referencePos>b</referencePos><adjust>0.25</adjust></iaPair>
  </IdealAdjustment>
</Scenario>"#;

    fn err(text: &str) -> (ErrorKind, String) {
        let e = parse_xml("t.xml", text).unwrap_err();
        (e.kind(), e.to_string())
    }

    #[test]
    fn reads_everything() {
        let (input, params, info) = parse_xml_with_info("t.xml", OK).unwrap();
        assert_eq!(info, Info { name: "t".into(), description: "d".into() });
        assert_eq!(params.seed, 3507583219545544127);
        assert_eq!(params.pce, PceModel::MarkovIncentive);
        assert_eq!(params.voting_rule, VotingRule::PropCbc);
        assert_eq!(params.victory_prob, VictoryProbModel::Linear);
        assert_eq!(
            params.ideal_adjustment,
            vec![
                IdealAdjustment { adjusting: 0, reference: 0, adjust: 0.5 },
                IdealAdjustment { adjusting: 0, reference: 1, adjust: 0.25 }
            ]
        );
        assert_eq!(input.dimensions, vec!["X", "Y"]);
        assert_eq!(input.salience[1], vec![40.0, 10.0]);
        assert_eq!(input.actors[0].description, "first");
    }

    #[test]
    fn ideal_adjustment_and_dimensions_are_optional() {
        let start = OK.find("<IdealAdjustment>").unwrap();
        let end = OK.find("</IdealAdjustment>").unwrap() + "</IdealAdjustment>".len();
        let text = format!("{}{}", &OK[..start], &OK[end..]);
        let (_, params) = parse_xml("t.xml", &text).unwrap();
        assert!(params.ideal_adjustment.is_empty());
        let text = OK.replace("<Dimensions><dName>X</dName><dName>Y</dName></Dimensions>", "");
        assert_eq!(parse_xml("t.xml", &text).unwrap().0.dimensions, vec!["d1", "d2"]);
    }

    #[test]
    fn one_error_per_kind() {
        assert_eq!(err("<Scenario>").0, ErrorKind::Syntax);
        assert_eq!(
            err("<Scenario>\n  <name>x</nam>\n</Scenario>").1,
            "t.xml:2:10: not well-formed xml: expected 'name' tag, not 'nam'"
        );
        assert_eq!(
            err("<Other/>"),
            (
                ErrorKind::Syntax,
                "t.xml:1:1: the root element must be <Scenario>, found <Other>".into()
            )
        );
        assert_eq!(
            err(&OK.replace("<desc>d</desc>", "<desk/>")),
            (ErrorKind::Syntax, "t.xml:4:3: unknown element <desk> in <Scenario>".into())
        );
        assert_eq!(
            err(&OK.replace("<dCoord>20</dCoord>", "<dCoord></dCoord>")),
            (ErrorKind::Empty, "t.xml:13:17: actor \"a\" dimension \"X\": empty coordinate".into())
        );
        assert_eq!(
            err(&OK.replace("<dCoord>20</dCoord>", "<dCoord>2o</dCoord>")).0,
            ErrorKind::NotANumber
        );
        assert_eq!(
            err(&OK.replace("<capability>10</capability>", "<capability>1001</capability>")),
            (
                ErrorKind::OutOfRange,
                "t.xml:12:58: actor \"a\": capability 1001 outside [0, 1000]".into()
            )
        );
        assert_eq!(
            err(&OK.replace("<dCoord>20</dCoord><dCoord>30</dCoord>", "<dCoord>20</dCoord>")),
            (
                ErrorKind::Count,
                "t.xml:13:7: actor \"a\": 2 coordinates expected (one per dimension), found 1"
                    .into()
            )
        );
        assert_eq!(
            err(&OK.replace("<PCEModel>MarkovIncentive</PCEModel>", "<PCEModel>Markov</PCEModel>")),
            (ErrorKind::Unknown, "t.xml:7:5: unknown PCEModel \"Markov\": expected one of Conditional, MarkovIncentive, MarkovUniform".into())
        );
        assert_eq!(
            err(&OK.replace("<referencePos>b</referencePos>", "<referencePos>zed</referencePos>")),
            (ErrorKind::Unknown, "t.xml:21:47: <referencePos> names no actor: \"zed\"".into())
        );
        assert_eq!(err(&OK.replace("<name>b</name>", "<name>a</name>")).0, ErrorKind::Duplicate);
        assert_eq!(
            err(&OK.replace("<capability>30</capability>", "")),
            (ErrorKind::Missing, "t.xml:15:5: <Actor> needs a <capability> element".into())
        );
        assert_eq!(
            err(&OK.replace("<prngSeed>03507583219545544127", "<prngSeed>-1")).0,
            ErrorKind::NotANumber
        );
        assert_eq!(
            err(&OK.replace("<adjust>0.25</adjust>", "<adjust>0.25</adjust></iaPair><iaPair><adjustingIdeal>a</adjustingIdeal><referencePos>a</referencePos><adjust>0.9</adjust>")),
            (ErrorKind::Params, "t.xml:19:3: ideal adjustment of actor \"a\": the weights sum to 1.15, above 1".into())
        );
    }

    #[test]
    fn big_inputs_are_read_in_linear_time_and_memory() {
        // 20,000 actors, each adjusting its ideal toward the next: once a dense 20,000 x
        // 20,000 accommodation matrix (3.2 GB) and a scan of every actor per name.
        let n = 20_000;
        let mut text = String::from("<Scenario><name>big</name><Actors>");
        for i in 0..n {
            text.push_str(&format!(
                "<Actor><name>a{i}</name><capability>1</capability><Position><dCoord>{}</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>",
                i % 100
            ));
        }
        text.push_str("</Actors><IdealAdjustment>");
        for i in 0..n {
            text.push_str(&format!(
                "<iaPair><adjustingIdeal>a{i}</adjustingIdeal><referencePos>a{}</referencePos><adjust>0.25</adjust></iaPair><iaPair><adjustingIdeal>a{i}</adjustingIdeal><referencePos>a{i}</referencePos><adjust>0.75</adjust></iaPair>",
                (i + 1) % n
            ));
        }
        text.push_str("</IdealAdjustment></Scenario>");
        let (input, params) = parse_xml("t.xml", &text).map_err(|e| e.to_string()).unwrap();
        assert_eq!(input.n_actors(), n);
        let rows = params.accommodation(n).unwrap();
        assert_eq!(rows[n - 1], vec![(0, 0.25), (n - 1, 0.75)]);
        assert_eq!(rows.iter().map(Vec::len).sum::<usize>(), 2 * n);
        let bad = text.replacen("<adjust>0.25</adjust>", "<adjust>0.5</adjust>", 1);
        assert_eq!(
            err(&bad).1,
            format!(
                "t.xml:1:{}: ideal adjustment of actor \"a0\": the weights sum to 1.25, above 1",
                text.find("<IdealAdjustment>").unwrap() + 1
            )
        );
    }

    #[test]
    fn long_texts_are_cut_short_in_messages() {
        let long = "9".repeat(400);
        let (_, msg) = err(
            &OK.replace("<capability>10</capability>", &format!("<capability>{long}</capability>"))
        );
        assert_eq!(
            msg,
            format!(
                "t.xml:12:58: actor \"a\": capability {:?}... (400 characters) outside [0, 1000]",
                &long[..40]
            )
        );
        let (_, msg) =
            err(&OK
                .replace("<dCoord>20</dCoord>", &format!("<dCoord>{}</dCoord>", "x".repeat(300))));
        assert!(msg.ends_with("... (300 characters) is not a number"), "{msg}");
    }
}
