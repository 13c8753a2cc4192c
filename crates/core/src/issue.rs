//! Issues: discrete options or scale grids.

/// The largest number of grid points a scale issue may have.
pub const MAX_SCALE_POINTS: usize = 100_001;

/// One option of a discrete issue.
#[derive(Clone, Debug, PartialEq)]
pub struct IssueOption {
    /// Short identifier, unique within its issue.
    pub id: String,
    /// What the option says.
    pub label: String,
    /// Where the option lies on its issue's axis, when the issue's options are ordered
    /// (`axis` in the file): either every option of an issue has a position or none has;
    /// positions are finite and distinct. Only the order and the distances matter: the
    /// spatial forecasting models map the axis onto 0-100 from its lowest to its highest
    /// position.
    pub position: Option<f64>,
}

impl IssueOption {
    /// An option with no position on an axis.
    pub fn new(id: &str, label: &str) -> IssueOption {
        IssueOption { id: id.to_string(), label: label.to_string(), position: None }
    }
}

/// Whether an issue has named options or a numeric scale.
#[derive(Clone, Debug, PartialEq)]
pub enum IssueKind {
    /// A choice among named options.
    Discrete {
        /// The options, at least one.
        options: Vec<IssueOption>,
    },
    /// A number on a scale; its options are the grid points `min, min + step, ..., max`.
    Scale {
        /// The unit, e.g. `personnel` or `points`.
        unit: String,
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
        /// Distance between grid points; `(max - min) / step` is a whole number.
        step: f64,
    },
}

/// An issue: one point of a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    /// Short identifier.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Options or scale.
    pub kind: IssueKind,
    /// Other names and keywords the news uses for it ("Donbas", "Donetsk"), for
    /// `detente ingest`; no analysis reads them.
    pub aliases: Vec<String>,
}

impl Issue {
    /// A discrete issue whose option ids and labels are the given strings.
    pub fn discrete(id: &str, name: &str, options: &[&str]) -> Issue {
        Issue {
            id: id.to_string(),
            name: name.to_string(),
            description: None,
            kind: IssueKind::Discrete {
                options: options.iter().map(|o| IssueOption::new(o, o)).collect(),
            },
            aliases: Vec::new(),
        }
    }

    /// A scale issue.
    pub fn scale(id: &str, name: &str, unit: &str, min: f64, max: f64, step: f64) -> Issue {
        Issue {
            id: id.to_string(),
            name: name.to_string(),
            description: None,
            kind: IssueKind::Scale { unit: unit.to_string(), min, max, step },
            aliases: Vec::new(),
        }
    }

    /// The number of options (grid points for a scale).
    pub fn n_options(&self) -> usize {
        match &self.kind {
            IssueKind::Discrete { options } => options.len(),
            IssueKind::Scale { min, max, step, .. } => scale_points(*min, *max, *step).unwrap_or(0),
        }
    }

    /// The positions of the options on the issue's axis, when its options are ordered
    /// (every option has a position); `None` for a scale or unordered options.
    pub fn axis(&self) -> Option<Vec<f64>> {
        match &self.kind {
            IssueKind::Discrete { options } => options.iter().map(|o| o.position).collect(),
            IssueKind::Scale { .. } => None,
        }
    }

    /// Whether this is a scale issue.
    pub fn is_scale(&self) -> bool {
        matches!(self.kind, IssueKind::Scale { .. })
    }

    /// The numeric value of a grid point of a scale issue; `None` for discrete issues.
    pub fn scale_value(&self, option_idx: usize) -> Option<f64> {
        match &self.kind {
            IssueKind::Discrete { .. } => None,
            IssueKind::Scale { min, max, step, .. } => {
                Some((min + option_idx as f64 * step).min(*max))
            }
        }
    }

    /// The grid index of a scale value, if it lies on the grid (to within a millionth of a step).
    pub fn scale_index(&self, x: f64) -> Option<usize> {
        match &self.kind {
            IssueKind::Discrete { .. } => None,
            IssueKind::Scale { min, max, step, .. } => {
                if !x.is_finite() || x < *min - step * 1e-6 || x > *max + step * 1e-6 {
                    return None;
                }
                let k = ((x - min) / step).round();
                if ((x - min) / step - k).abs() > 1e-6 {
                    return None;
                }
                Some(k as usize)
            }
        }
    }

    /// The option's identifier: the option id, or the grid value written as a number.
    pub fn option_id(&self, option_idx: usize) -> String {
        match &self.kind {
            IssueKind::Discrete { options } => options[option_idx].id.clone(),
            IssueKind::Scale { .. } => format_number(self.scale_value(option_idx).unwrap_or(0.0)),
        }
    }

    /// The option's label: the option label, or the grid value with its unit.
    pub fn option_label(&self, option_idx: usize) -> String {
        match &self.kind {
            IssueKind::Discrete { options } => options[option_idx].label.clone(),
            IssueKind::Scale { unit, .. } => {
                format!("{} {unit}", format_number(self.scale_value(option_idx).unwrap_or(0.0)))
            }
        }
    }

    /// The index of the discrete option with this id. A scan of the options (linear in
    /// their number): to look up many ids, build a map from id to index once, as the
    /// scenario reader does, or a file of 100,000 options takes a quadratic walk.
    pub fn option_index(&self, id: &str) -> Option<usize> {
        match &self.kind {
            IssueKind::Discrete { options } => options.iter().position(|o| o.id == id),
            IssueKind::Scale { .. } => None,
        }
    }
}

/// The number of grid points of a scale, or `None` when the scale is malformed.
pub fn scale_points(min: f64, max: f64, step: f64) -> Option<usize> {
    if !(min.is_finite() && max.is_finite() && step.is_finite()) || step <= 0.0 || max < min {
        return None;
    }
    let n = (max - min) / step;
    let k = n.round();
    if (n - k).abs() > 1e-6 || k + 1.0 > MAX_SCALE_POINTS as f64 {
        return None;
    }
    Some(k as usize + 1)
}

/// Writes a number without a trailing `.0` when it is whole, and with thousands as written.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
}
