//! Plain text tables for people: left-aligned columns, split into blocks when too wide.

/// A plain text table: left-aligned columns separated by two spaces, no trailing blanks.
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: Vec<String>) -> Table {
        Table { rows: vec![header] }
    }

    pub fn row(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    fn widths(&self) -> Vec<usize> {
        let n = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        (0..n)
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    pub fn render(&self, indent: &str) -> String {
        let all: Vec<usize> = (0..self.widths().len()).collect();
        self.render_columns(indent, &all)
    }

    pub fn render_columns(&self, indent: &str, columns: &[usize]) -> String {
        let widths = self.widths();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::from(indent);
            for (n, &c) in columns.iter().enumerate() {
                let cell = row.get(c).map_or("", String::as_str);
                line.push_str(cell);
                if n + 1 < columns.len() {
                    let pad = widths[c] - cell.chars().count() + 2;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Renders the table at most [`TABLE_WIDTH`] characters wide: when it is wider, the
    /// columns after the first `fixed` are split into blocks, one table each (separated by
    /// a blank line), every block repeating the `fixed` columns.
    pub fn render_fit(&self, indent: &str, fixed: usize) -> String {
        let widths = self.widths();
        let fixed = fixed.min(widths.len());
        let base = indent.chars().count() + widths[..fixed].iter().map(|w| w + 2).sum::<usize>();
        let mut blocks: Vec<Vec<usize>> = vec![];
        let mut block: Vec<usize> = vec![];
        let mut used = base;
        for (c, &w) in widths.iter().enumerate().skip(fixed) {
            if !block.is_empty() && used + w > TABLE_WIDTH {
                blocks.push(std::mem::take(&mut block));
                used = base;
            }
            block.push(c);
            used += w + 2;
        }
        blocks.push(block);
        let mut out = String::new();
        for (n, block) in blocks.iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            let columns: Vec<usize> = (0..fixed).chain(block.iter().copied()).collect();
            out.push_str(&self.render_columns(indent, &columns));
        }
        out
    }
}

/// The widest a table may be: text is wrapped to 100 columns when not on a terminal, and
/// table rows are never wrapped.
pub const TABLE_WIDTH: usize = 100;

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_tables_are_split_into_blocks() {
        let mut t = Table::new(vec!["id".into(), "a".repeat(60), "b".repeat(60)]);
        t.row(vec!["x".into(), "1".into(), "2".into()]);
        let out = t.render_fit("  ", 1);
        assert!(out.lines().all(|l| l.chars().count() <= TABLE_WIDTH));
        assert_eq!(out.lines().filter(|l| l.trim_start().starts_with("x ")).count(), 2);
    }
}
