//! Exact rational numbers on 128-bit integers, for procedures whose answer must be exact
//! (see [`adjusted_winner`](crate::adjusted_winner)).
//!
//! A [`Rational`] is always reduced (`gcd(numerator, denominator) = 1`) with a positive
//! denominator, so equal numbers have equal representations and `==` and `Hash` are
//! structural. Arithmetic is checked: a result that does not fit in `i128` is an
//! [`ErrorKind::Overflow`] error and division by zero an [`ErrorKind::DivisionByZero`]
//! error, never a panic, a wrap or a rounded value. Comparison never overflows.
//!
//! Every finite `f64` is a dyadic rational `m * 2^e`; [`Rational::from_f64`] converts it
//! exactly when numerator and denominator fit, and [`Rational::to_f64`] rounds back to the
//! nearest `f64` (ties to even), so `from_f64(x)?.to_f64() == x`.
//!
//! ```
//! use detente_analysis::rational::Rational;
//! let a = Rational::new(1, 6)?;
//! let b = Rational::from_f64(0.5)?;
//! let c = a.checked_add(b)?;
//! assert_eq!(c, Rational::new(2, 3)?);
//! assert_eq!(c.to_string(), "2/3");
//! assert_eq!(Rational::from_integer(100).checked_mul(c)?.to_string(), "200/3");
//! assert!(a < b);
//! assert_eq!("170/3".parse::<Rational>()?, Rational::new(340, 6)?);
//! assert!(Rational::from_integer(i128::MAX).checked_add(Rational::ONE).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind};

/// An exact rational number `numerator / denominator`, reduced, with `denominator > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rational {
    num: i128,
    den: i128,
}

fn overflow(what: &str) -> Error {
    Error::new(ErrorKind::Overflow, format!("exact arithmetic overflowed 128 bits in {what}"))
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Rational {
    /// Zero.
    pub const ZERO: Rational = Rational { num: 0, den: 1 };
    /// One.
    pub const ONE: Rational = Rational { num: 1, den: 1 };

    /// `num / den`, reduced; an error when `den` is 0 or the reduced number does not fit
    /// (only possible with `i128::MIN` in play).
    pub fn new(num: i128, den: i128) -> Result<Rational, Error> {
        if den == 0 {
            return Err(Error::new(
                ErrorKind::DivisionByZero,
                format!("division by zero in the fraction {num}/0"),
            ));
        }
        let (n, d) = (num.unsigned_abs(), den.unsigned_abs());
        let g = gcd(n, d);
        let (n, d) = (n / g, d / g);
        let negative = (num < 0) != (den < 0);
        let den = i128::try_from(d).map_err(|_| overflow("a fraction"))?;
        let num = if negative { 0i128.checked_sub_unsigned(n) } else { i128::try_from(n).ok() }
            .ok_or_else(|| overflow("a fraction"))?;
        Ok(Rational { num, den })
    }

    /// The integer `n`.
    pub const fn from_integer(n: i128) -> Rational {
        Rational { num: n, den: 1 }
    }

    /// The numerator (carries the sign).
    pub fn numer(self) -> i128 {
        self.num
    }

    /// The denominator, `> 0`.
    pub fn denom(self) -> i128 {
        self.den
    }

    /// Whether the number is 0.
    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// Whether the number is a whole number.
    pub fn is_integer(self) -> bool {
        self.den == 1
    }

    /// `-1`, `0` or `1`, as the sign of the number.
    pub fn signum(self) -> i128 {
        self.num.signum()
    }

    /// `self + other`, or an overflow error.
    pub fn checked_add(self, other: Rational) -> Result<Rational, Error> {
        self.add_sub(other, i128::checked_add, "an addition")
    }

    /// `self - other`, or an overflow error.
    pub fn checked_sub(self, other: Rational) -> Result<Rational, Error> {
        self.add_sub(other, i128::checked_sub, "a subtraction")
    }

    /// `a/b ± c/d = (a * (d/g) ± c * (b/g)) / (b/g * d)` with `g = gcd(b, d)`, reduced.
    fn add_sub(
        self,
        other: Rational,
        op: fn(i128, i128) -> Option<i128>,
        what: &str,
    ) -> Result<Rational, Error> {
        // Denominators are positive i128, so their gcd fits and the divisions are exact.
        let g = gcd(self.den.unsigned_abs(), other.den.unsigned_abs()) as i128;
        let (b, d) = (self.den / g, other.den / g);
        let num = self
            .num
            .checked_mul(d)
            .zip(other.num.checked_mul(b))
            .and_then(|(x, y)| op(x, y))
            .ok_or_else(|| overflow(what))?;
        let den = b.checked_mul(other.den).ok_or_else(|| overflow(what))?;
        Rational::new(num, den)
    }

    /// `self * other`, or an overflow error. Factors are cancelled crosswise first, so the
    /// product overflows only when the reduced result does not fit.
    pub fn checked_mul(self, other: Rational) -> Result<Rational, Error> {
        if self.is_zero() || other.is_zero() {
            return Ok(Rational::ZERO);
        }
        // Each gcd divides a positive denominator, so it fits in i128.
        let g1 = gcd(self.num.unsigned_abs(), other.den.unsigned_abs()) as i128;
        let g2 = gcd(other.num.unsigned_abs(), self.den.unsigned_abs()) as i128;
        let num = (self.num / g1).checked_mul(other.num / g2);
        let den = (self.den / g2).checked_mul(other.den / g1);
        match (num, den) {
            // Already reduced: the factors left are pairwise coprime.
            (Some(num), Some(den)) => Ok(Rational { num, den }),
            _ => Err(overflow("a multiplication")),
        }
    }

    /// `1 / self`; an error for 0.
    pub fn recip(self) -> Result<Rational, Error> {
        if self.is_zero() {
            return Err(Error::new(ErrorKind::DivisionByZero, "division by zero"));
        }
        let (num, den) = if self.num < 0 {
            (-self.den, self.num.checked_neg().ok_or_else(|| overflow("a reciprocal"))?)
        } else {
            (self.den, self.num)
        };
        Ok(Rational { num, den })
    }

    /// `self / other`; an error for division by zero or overflow.
    pub fn checked_div(self, other: Rational) -> Result<Rational, Error> {
        self.checked_mul(other.recip()?)
    }

    /// `-self`, or an overflow error (only for a numerator of `i128::MIN`).
    pub fn checked_neg(self) -> Result<Rational, Error> {
        let num = self.num.checked_neg().ok_or_else(|| overflow("a negation"))?;
        Ok(Rational { num, den: self.den })
    }

    /// The sum of the numbers, or an overflow error.
    pub fn checked_sum(xs: impl IntoIterator<Item = Rational>) -> Result<Rational, Error> {
        xs.into_iter().try_fold(Rational::ZERO, Rational::checked_add)
    }

    /// The exact value of a finite `f64`, or an error when it is not finite or its
    /// numerator or denominator does not fit in `i128` (beyond about `1.7e38`, or with more
    /// than 126 binary places, e.g. below about `1e-38`).
    pub fn from_f64(x: f64) -> Result<Rational, Error> {
        if !x.is_finite() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{x} is not a finite number and has no exact value"),
            ));
        }
        if x == 0.0 {
            return Ok(Rational::ZERO);
        }
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1u64 << 52) - 1);
        // x = mantissa * 2^exp, with the hidden bit for normal numbers.
        let (mantissa, exp) =
            if biased == 0 { (fraction, -1074) } else { (fraction | (1u64 << 52), biased - 1075) };
        let tz = mantissa.trailing_zeros() as i32;
        let (mantissa, exp) = (i128::from(mantissa >> tz), exp + tz);
        let too_big = || overflow(&format!("the exact value of {x}"));
        let magnitude = if exp >= 0 {
            // mantissa < 2^53, so shifting by exp fits when the top bit stays below bit 127.
            if exp > 126 || mantissa.leading_zeros() as i32 <= exp {
                return Err(too_big());
            }
            Rational { num: mantissa << exp, den: 1 }
        } else {
            if -exp > 126 {
                return Err(too_big());
            }
            // An odd mantissa over a power of two is already reduced.
            Rational { num: mantissa, den: 1i128 << -exp }
        };
        Ok(if x < 0.0 { Rational { num: -magnitude.num, den: magnitude.den } } else { magnitude })
    }

    /// The exact value of a decimal number as written: `35`, `-0.35`, `1.5e-3`, `2E5`.
    ///
    /// Points that people write as decimals (`33.3`) mean the decimal fraction (`333/10`),
    /// not the nearest binary float, so tables read this way add up as their author meant.
    pub fn from_decimal(s: &str) -> Result<Rational, Error> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidInput,
                format!("{s:?} is not a decimal number like 35 or 0.35"),
            )
        };
        let t = s.trim();
        let (mantissa, exp) = match t.find(['e', 'E']) {
            Some(at) => (&t[..at], t[at + 1..].parse::<i32>().map_err(|_| bad())?),
            None => (t, 0),
        };
        let (negative, digits) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && frac.is_empty()
            || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let too_big = || overflow(&format!("the exact value of {s}"));
        let mut num: i128 = 0;
        for b in whole.bytes().chain(frac.bytes()) {
            num = num
                .checked_mul(10)
                .and_then(|n| n.checked_add(i128::from(b - b'0')))
                .ok_or_else(too_big)?;
        }
        if num == 0 {
            return Ok(Rational::ZERO);
        }
        // `exp - frac.len()`, which overflows an i32 for exponents near i32::MIN.
        let scale =
            i32::try_from(frac.len()).ok().and_then(|f| exp.checked_sub(f)).ok_or_else(too_big)?;
        let ten = |k: u32| 10i128.checked_pow(k).ok_or_else(too_big);
        let value = if scale >= 0 {
            Rational::from_integer(num.checked_mul(ten(scale.unsigned_abs())?).ok_or_else(too_big)?)
        } else {
            Rational::new(num, ten(scale.unsigned_abs())?)?
        };
        if negative { value.checked_neg() } else { Ok(value) }
    }

    /// The decimal that `x` was most likely written as: the shortest decimal that reads back
    /// as `x` (`0.35` for the float nearest 0.35), exactly.
    pub fn from_f64_decimal(x: f64) -> Result<Rational, Error> {
        if !x.is_finite() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{x} is not a finite number and has no exact value"),
            ));
        }
        Rational::from_decimal(&format!("{x:?}"))
    }

    /// The nearest `f64` (ties to even); exact when the number is a dyadic rational with at
    /// most 53 significant bits.
    pub fn to_f64(self) -> f64 {
        if self.num == 0 {
            return 0.0;
        }
        let (n, d) = (self.num.unsigned_abs(), self.den.unsigned_abs());
        // Binary long division: collect 54 significant bits of n / d in `m` (53 for the
        // result and one rounding bit), with `sticky` for anything nonzero beyond them.
        let q = n / d;
        let mut r = n % d;
        let q_bits = 128 - q.leading_zeros() as i32;
        let (mut m, mut exp, mut sticky) = if q_bits > 54 {
            let shift = q_bits - 54;
            (q >> shift, shift, q & ((1u128 << shift) - 1) != 0 || r != 0)
        } else {
            (q, 0, false)
        };
        while 128 - m.leading_zeros() < 54 {
            // r < d <= i128::MAX, so 2r fits in u128.
            r <<= 1;
            m <<= 1;
            if r >= d {
                r -= d;
                m |= 1;
            }
            exp -= 1;
        }
        if q_bits <= 54 {
            sticky = r != 0;
        }
        let round = m & 1 == 1;
        let mut m = m >> 1;
        exp += 1;
        if round && (sticky || m & 1 == 1) {
            m += 1;
        }
        // m <= 2^53 is exact as an f64, and |value| lies within [2^-127, 2^127], so exp lies
        // well inside the normal exponent range and the power of two is exact.
        let scale = f64::from_bits(((exp + 1023) as u64) << 52);
        let x = m as f64 * scale;
        if self.num < 0 { -x } else { x }
    }
}

impl Ord for Rational {
    /// Exact comparison that never overflows: compares the floors (Euclidean division),
    /// then the fractional parts through their reciprocals, as a continued fraction.
    fn cmp(&self, other: &Rational) -> Ordering {
        let (mut a, mut b, mut c, mut d) = (self.num, self.den, other.num, other.den);
        let mut flipped = false;
        loop {
            // b, d > 0 throughout, so the Euclidean quotients cannot overflow.
            let (qa, qc) = (a.div_euclid(b), c.div_euclid(d));
            let (ra, rc) = (a.rem_euclid(b), c.rem_euclid(d));
            let ord = match qa.cmp(&qc) {
                Ordering::Equal => match (ra == 0, rc == 0) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => {
                        // ra/b < rc/d  <=>  b/ra > d/rc, all positive.
                        (a, b, c, d) = (b, ra, d, rc);
                        flipped = !flipped;
                        continue;
                    }
                },
                ord => ord,
            };
            return if flipped { ord.reverse() } else { ord };
        }
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Rational) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<i64> for Rational {
    fn from(n: i64) -> Rational {
        Rational::from_integer(i128::from(n))
    }
}

impl fmt::Display for Rational {
    /// `a/b`, or `a` for a whole number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl FromStr for Rational {
    type Err = Error;

    /// Reads `a` or `a/b` (integers, optional sign, spaces around the parts allowed).
    fn from_str(s: &str) -> Result<Rational, Error> {
        let bad = || {
            Error::new(ErrorKind::InvalidInput, format!("{s:?} is not a fraction like 13/15 or 7"))
        };
        let int = |t: &str| t.trim().parse::<i128>().map_err(|_| bad());
        match s.split_once('/') {
            None => Ok(Rational::from_integer(int(s)?)),
            Some((n, d)) => Rational::new(int(n)?, int(d)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn r(n: i128, d: i128) -> Rational {
        Rational::new(n, d).unwrap()
    }

    #[test]
    fn decimals_read_as_written() {
        assert_eq!(Rational::from_decimal("0.35").unwrap(), r(7, 20));
        assert_eq!(Rational::from_decimal("-33.3").unwrap(), r(-333, 10));
        assert_eq!(Rational::from_decimal("1.5e-3").unwrap(), r(3, 2000));
        assert_eq!(Rational::from_decimal("2E5").unwrap(), r(200_000, 1));
        assert_eq!(Rational::from_decimal(" 7 ").unwrap(), r(7, 1));
        assert_eq!(Rational::from_decimal(".5").unwrap(), r(1, 2));
        for bad in ["", "-", ".", "1.2.3", "1e", "abc", "1e99999", "0x10"] {
            assert!(Rational::from_decimal(bad).is_err(), "{bad:?}");
        }
        assert!(Rational::from_decimal("1e60").is_err());
        // Exponents at the ends of i32 (fuzz target points_csv): an error, never an overflow.
        for extreme in ["0.5e-2147483648", "5e-2147483648", "1.5e2147483647", "1e-2147483648"] {
            assert_eq!(
                Rational::from_decimal(extreme).unwrap_err().kind(),
                ErrorKind::Overflow,
                "{extreme}"
            );
        }
        assert_eq!(Rational::from_decimal("0.0e-2147483648").unwrap(), Rational::ZERO);
        assert_eq!(Rational::from_decimal("-0e2147483647").unwrap(), Rational::ZERO);
        assert_eq!(Rational::from_f64_decimal(0.35).unwrap(), r(7, 20));
        assert_eq!(Rational::from_f64_decimal(1e-7).unwrap(), r(1, 10_000_000));
        assert!(Rational::from_f64_decimal(f64::NAN).is_err());
    }

    #[test]
    fn reduced_with_positive_denominator() {
        assert_eq!(r(6, -4), r(-3, 2));
        assert_eq!((r(6, -4).numer(), r(6, -4).denom()), (-3, 2));
        assert_eq!(r(0, -5), Rational::ZERO);
        assert_eq!(r(i128::MIN, 2).numer(), i128::MIN / 2);
        assert_eq!(r(i128::MIN, 1).numer(), i128::MIN);
        assert_eq!(Rational::new(1, 0).unwrap_err().kind(), ErrorKind::DivisionByZero);
        assert_eq!(Rational::new(i128::MIN, -1).unwrap_err().kind(), ErrorKind::Overflow);
        assert_eq!(Rational::new(1, i128::MIN).unwrap_err().kind(), ErrorKind::Overflow);
        assert_eq!(r(-1, i128::MIN + 1).to_string(), format!("1/{}", i128::MAX));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(r(1, 6).checked_add(r(1, 3)).unwrap(), r(1, 2));
        assert_eq!(r(1, 6).checked_sub(r(1, 3)).unwrap(), r(-1, 6));
        assert_eq!(r(2, 3).checked_mul(r(9, 4)).unwrap(), r(3, 2));
        assert_eq!(r(2, 3).checked_div(r(-4, 9)).unwrap(), r(-3, 2));
        assert_eq!(r(-2, 3).recip().unwrap(), r(-3, 2));
        assert_eq!(Rational::ZERO.recip().unwrap_err().kind(), ErrorKind::DivisionByZero);
        assert_eq!(
            r(1, 2).checked_div(Rational::ZERO).unwrap_err().kind(),
            ErrorKind::DivisionByZero
        );
        let sum = Rational::checked_sum([r(1, 2), r(1, 3), r(1, 6)]).unwrap();
        assert_eq!(sum, Rational::ONE);
        assert!(sum.is_integer() && !r(1, 2).is_integer() && r(-1, 2).signum() == -1);
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        let max = Rational::from_integer(i128::MAX);
        let min = Rational::from_integer(i128::MIN);
        assert_eq!(max.checked_add(Rational::ONE).unwrap_err().kind(), ErrorKind::Overflow);
        assert_eq!(min.checked_sub(Rational::ONE).unwrap_err().kind(), ErrorKind::Overflow);
        assert_eq!(
            max.checked_mul(Rational::from_integer(2)).unwrap_err().kind(),
            ErrorKind::Overflow
        );
        assert_eq!(min.checked_neg().unwrap_err().kind(), ErrorKind::Overflow);
        assert_eq!(min.recip().unwrap_err().kind(), ErrorKind::Overflow);
        let tiny = r(1, i128::MAX);
        assert_eq!(tiny.checked_mul(r(1, 2)).unwrap_err().kind(), ErrorKind::Overflow);
        assert_eq!(tiny.checked_add(r(1, 2)).unwrap_err().kind(), ErrorKind::Overflow);
        // Cancelling first keeps representable products representable.
        assert_eq!(max.checked_mul(tiny).unwrap(), Rational::ONE);
        assert_eq!(max.checked_sub(max).unwrap(), Rational::ZERO);
        assert_eq!(min.checked_add(max).unwrap(), Rational::from_integer(-1));
        assert_eq!(
            overflow("an addition").to_string(),
            "exact arithmetic overflowed 128 bits in an addition"
        );
    }

    #[test]
    fn ordering_never_overflows() {
        let big = r(i128::MAX, i128::MAX - 1);
        let bigger = r(i128::MAX - 1, i128::MAX - 2);
        assert!(big < bigger);
        assert!(r(-1, 3) < r(-1, 4));
        assert!(r(i128::MIN, 1) < r(i128::MIN + 1, 1));
        assert!(r(1, i128::MAX) > Rational::ZERO);
        assert!(r(-1, i128::MAX) < Rational::ZERO && r(-1, i128::MAX) > r(-1, i128::MAX - 1));
        assert_eq!(r(5, 4).cmp(&r(10, 8)), Ordering::Equal);
        let mut v = vec![r(3, 2), r(-7, 3), r(5, 4), Rational::ZERO, r(14, 11)];
        v.sort();
        assert_eq!(v, vec![r(-7, 3), Rational::ZERO, r(5, 4), r(14, 11), r(3, 2)]);
    }

    #[test]
    fn display_and_parse() {
        assert_eq!(r(170, 3).to_string(), "170/3");
        assert_eq!(r(-4, 2).to_string(), "-2");
        assert_eq!("13/15".parse::<Rational>().unwrap(), r(13, 15));
        assert_eq!(" -218 / 3 ".parse::<Rational>().unwrap(), r(-218, 3));
        assert_eq!("50".parse::<Rational>().unwrap(), Rational::from(50));
        assert_eq!("1/0".parse::<Rational>().unwrap_err().kind(), ErrorKind::DivisionByZero);
        let e = "56.67".parse::<Rational>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.to_string(), "\"56.67\" is not a fraction like 13/15 or 7");
    }

    #[test]
    fn exact_from_f64() {
        assert_eq!(Rational::from_f64(0.5).unwrap(), r(1, 2));
        assert_eq!(Rational::from_f64(-3.0).unwrap(), Rational::from(-3));
        assert_eq!(Rational::from_f64(-0.0).unwrap(), Rational::ZERO);
        assert_eq!(Rational::from_f64(0.1).unwrap(), r(3602879701896397, 1 << 55));
        assert_eq!(Rational::from_f64(2f64.powi(126)).unwrap(), Rational::from_integer(1 << 126));
        assert_eq!(Rational::from_f64(2f64.powi(-126)).unwrap(), r(1, 1 << 126));
        for x in [2f64.powi(127), f64::MAX, 2f64.powi(-127), f64::MIN_POSITIVE, 1e-300] {
            assert_eq!(Rational::from_f64(x).unwrap_err().kind(), ErrorKind::Overflow, "{x}");
        }
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(Rational::from_f64(x).unwrap_err().kind(), ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn nearest_f64() {
        assert_eq!(r(1, 3).to_f64(), 1.0 / 3.0);
        assert_eq!(r(-170, 3).to_f64(), -170.0 / 3.0);
        assert_eq!(Rational::from_integer(i128::MAX).to_f64(), 2f64.powi(127));
        assert_eq!(r(1, i128::MAX).to_f64(), 2f64.powi(-127));
        // 2^53 + 1 lies halfway between two floats: ties to even, down to 2^53.
        assert_eq!(Rational::from_integer((1 << 53) + 1).to_f64(), 2f64.powi(53));
        assert_eq!(Rational::from_integer((1 << 53) + 3).to_f64(), 2f64.powi(53) + 4.0);
        // Just above the halfway point rounds up.
        let above = r((1 << 54) + 3, 2);
        assert_eq!(above.to_f64(), 2f64.powi(53) + 2.0);
    }

    fn small() -> impl Strategy<Value = Rational> {
        (-60i128..=60, 1i128..=60).prop_map(|(n, d)| Rational::new(n, d).unwrap())
    }

    proptest! {
        #[test]
        fn field_laws(a in small(), b in small(), c in small()) {
            let add = |x: Rational, y: Rational| x.checked_add(y).unwrap();
            let mul = |x: Rational, y: Rational| x.checked_mul(y).unwrap();
            prop_assert_eq!(add(a, b), add(b, a));
            prop_assert_eq!(mul(a, b), mul(b, a));
            prop_assert_eq!(add(add(a, b), c), add(a, add(b, c)));
            prop_assert_eq!(mul(mul(a, b), c), mul(a, mul(b, c)));
            prop_assert_eq!(mul(a, add(b, c)), add(mul(a, b), mul(a, c)));
            prop_assert_eq!(add(a, Rational::ZERO), a);
            prop_assert_eq!(mul(a, Rational::ONE), a);
            prop_assert_eq!(add(a, a.checked_neg().unwrap()), Rational::ZERO);
            prop_assert_eq!(a.checked_sub(b).unwrap(), add(a, b.checked_neg().unwrap()));
            if !a.is_zero() {
                prop_assert_eq!(mul(a, a.recip().unwrap()), Rational::ONE);
                prop_assert_eq!(b.checked_div(a).unwrap(), mul(b, a.recip().unwrap()));
            }
        }

        #[test]
        fn reduced_and_ordered(a in small(), b in small(), c in small()) {
            for x in [a, b] {
                prop_assert!(x.denom() > 0);
                prop_assert_eq!(gcd(x.numer().unsigned_abs(), x.denom().unsigned_abs()), 1);
            }
            // Oracle: cross-multiplication, safe on small values.
            prop_assert_eq!(a.cmp(&b), (a.numer() * b.denom()).cmp(&(b.numer() * a.denom())));
            // Order is compatible with addition.
            prop_assert_eq!(a.cmp(&b), a.checked_add(c).unwrap().cmp(&b.checked_add(c).unwrap()));
            prop_assert_eq!(a.to_f64(), a.numer() as f64 / a.denom() as f64);
            prop_assert_eq!(a.to_string().parse::<Rational>().unwrap(), a);
        }

        #[test]
        fn f64_round_trip(x in proptest::num::f64::NORMAL) {
            if let Ok(q) = Rational::from_f64(x) {
                prop_assert_eq!(q.to_f64(), x);
            } else {
                prop_assert!(x.abs() >= 2f64.powi(127) || x.abs() < 2f64.powi(-74));
            }
        }

        #[test]
        fn to_f64_is_nearest(n in (1i128 << 60)..(1i128 << 100), neg: bool, d in 1i128..(1i128 << 60)) {
            let q = Rational::new(if neg { -n } else { n }, d).unwrap();
            let x = q.to_f64();
            // Neither neighbour of x is strictly nearer to q, checked exactly (with
            // 1 <= |q| < 2^100 and d < 2^60 every difference fits in i128).
            let up = f64::from_bits(x.abs().to_bits() + 1).copysign(x);
            let down = f64::from_bits(x.abs().to_bits().saturating_sub(1)).copysign(x);
            if let (Ok(xq), Ok(uq), Ok(dq)) =
                (Rational::from_f64(x), Rational::from_f64(up), Rational::from_f64(down))
            {
                let dist = |y: Rational| {
                    let t = y.checked_sub(q).ok()?;
                    Some(if t.signum() < 0 { t.checked_neg().ok()? } else { t })
                };
                let (e, eu, ed) = (dist(xq).unwrap(), dist(uq).unwrap(), dist(dq).unwrap());
                prop_assert!(e <= eu && e <= ed, "{} -> {}", q, x);
            }
        }
    }
}
