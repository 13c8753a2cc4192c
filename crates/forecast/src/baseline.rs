//! Two baseline forecasts to read SMP runs against: the capability × salience weighted
//! mean ([`compromise`]) and weighted median ([`weighted_median`]) of the positions.

use crate::input::SmpInput;

/// Per dimension, the mean of the positions weighted by capability × salience (0-100).
///
/// `x_d = Σ_i c_i s_id x_id / Σ_i c_i s_id`; when every weight on a dimension is 0, the
/// plain mean of the positions.
pub fn compromise(input: &SmpInput) -> Vec<f64> {
    (0..input.n_dims())
        .map(|d| {
            let mut num = 0.0;
            let mut den = 0.0;
            for (i, a) in input.actors.iter().enumerate() {
                let w = a.capability * input.salience[i][d];
                num += w * input.positions[i][d];
                den += w;
            }
            if den > 0.0 {
                num / den
            } else {
                input.positions.iter().map(|p| p[d]).sum::<f64>() / input.n_actors() as f64
            }
        })
        .collect()
}

/// Per dimension, the median of the positions weighted by capability × salience (0-100).
///
/// Tie rule: the **lower** weighted median, i.e. the smallest position `x` such that the
/// actors at or below `x` hold at least half of the total weight. It is always some actor's
/// position. Actors of weight 0 count only when every weight on the dimension is 0 (then
/// each counts 1).
pub fn weighted_median(input: &SmpInput) -> Vec<f64> {
    (0..input.n_dims())
        .map(|d| {
            let mut pts: Vec<(f64, f64)> = input
                .actors
                .iter()
                .enumerate()
                .map(|(i, a)| (input.positions[i][d], a.capability * input.salience[i][d]))
                .collect();
            let total: f64 = pts.iter().map(|p| p.1).sum();
            if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                pts.iter_mut().for_each(|p| p.1 = 1.0);
            }
            let total: f64 = pts.iter().map(|p| p.1).sum();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut acc = 0.0;
            for &(x, w) in &pts {
                acc += w;
                if 2.0 * acc >= total {
                    return x;
                }
            }
            pts.last().map_or(0.0, |p| p.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Actor;

    fn input(caps: &[f64], pos: &[f64], sal: &[f64]) -> SmpInput {
        SmpInput {
            actors: caps
                .iter()
                .enumerate()
                .map(|(i, &c)| Actor {
                    name: format!("a{i}"),
                    description: String::new(),
                    capability: c,
                })
                .collect(),
            dimensions: vec!["x".into()],
            positions: pos.iter().map(|&x| vec![x]).collect(),
            salience: sal.iter().map(|&s| vec![s]).collect(),
        }
    }

    #[test]
    fn compromise_is_the_weighted_mean() {
        let t = input(&[1.0, 3.0], &[0.0, 100.0], &[50.0, 50.0]);
        assert_eq!(compromise(&t), vec![75.0]);
        let t = input(&[1.0, 3.0], &[20.0, 40.0], &[0.0, 0.0]);
        assert_eq!(compromise(&t), vec![30.0]);
    }

    #[test]
    fn median_takes_the_lower_on_ties() {
        // Half the weight on each side: the lower median.
        let t = input(&[1.0, 1.0], &[80.0, 20.0], &[10.0, 10.0]);
        assert_eq!(weighted_median(&t), vec![20.0]);
        // One heavy actor decides.
        let t = input(&[1.0, 5.0, 1.0], &[10.0, 90.0, 50.0], &[10.0, 10.0, 10.0]);
        assert_eq!(weighted_median(&t), vec![90.0]);
        let t = input(&[1.0, 1.0, 1.0], &[10.0, 90.0, 50.0], &[10.0, 10.0, 10.0]);
        assert_eq!(weighted_median(&t), vec![50.0]);
    }
}
