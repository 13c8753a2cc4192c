//! Exact rational numbers of any size, for procedures whose answer must be exact (see
//! [`adjusted_winner`](crate::adjusted_winner)).
//!
//! A [`Rational`] is always reduced (`gcd(numerator, denominator) = 1`) with a positive
//! denominator, so equal numbers have equal representations and `==` and `Hash` are
//! structural. Sums, differences, products and comparisons are exact and never fail: a
//! number whose parts fit in 128 bits is computed on machine integers, and one that does not
//! on big integers, so no input the readers accept overflows or is rounded. Division by zero
//! is an [`ErrorKind::DivisionByZero`] error, never a panic.
//!
//! The size of a number is bounded by what it is read from: [`Rational::from_decimal`] and
//! [`str::parse`] refuse numbers of more than [`MAX_DIGITS`] digits on either side of the
//! decimal point ([`ErrorKind::Overflow`]), so that a few bytes (`1e2147483647`) cannot ask
//! for gigabytes; what a procedure computes from such numbers is a small multiple of their
//! size.
//!
//! Every finite `f64` is a dyadic rational `m * 2^e`; [`Rational::from_f64`] converts it
//! exactly, and [`Rational::to_f64`] rounds back to the nearest `f64` (ties to even), so
//! `from_f64(x)?.to_f64() == x`.
//!
//! ```
//! use detente_analysis::rational::Rational;
//! let a = Rational::new(1, 6)?;
//! let b = Rational::from_f64(0.5)?;
//! let c = &a + &b;
//! assert_eq!(c, Rational::new(2, 3)?);
//! assert_eq!(c.to_string(), "2/3");
//! assert_eq!(Rational::from_integer(100) * c, "200/3".parse()?);
//! assert!(a < b);
//! assert_eq!("170/3".parse::<Rational>()?, Rational::new(340, 6)?);
//! // Beyond 128 bits the arithmetic goes on, exactly.
//! let big = Rational::from_integer(i128::MAX) + Rational::ONE;
//! assert_eq!(big.to_string(), "170141183460469231731687303715884105728");
//! let tiny = Rational::from_decimal("1e-50")?;
//! assert_eq!((&tiny * &tiny).to_string(), format!("1/1{}", "0".repeat(100)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul, Neg, Sub};
use std::str::FromStr;

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};

use crate::error::{Error, ErrorKind};

/// The most digits a number read by [`Rational::from_decimal`] or [`str::parse`] may have
/// before its decimal point, and the most after it (exponents applied: `1e-5` has 5
/// after it). Every finite `f64` written out fits (at most 309 before, 1,074 significant
/// binary places after, and its shortest decimal at most 324 after).
pub const MAX_DIGITS: usize = 1000;

/// An exact rational number `numerator / denominator`, reduced, with `denominator > 0`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Rational(Repr);

/// The two representations; a number whose parts both fit in `i128` is always `Small`, so
/// that equal numbers are equal structurally.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Small { num: i128, den: i128 },
    Big(Box<Big>),
}

/// A reduced fraction whose numerator or denominator does not fit in `i128`.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Big {
    num: BigInt,
    den: BigInt,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn too_large(what: &str) -> Error {
    Error::new(
        ErrorKind::Overflow,
        format!(
            "{what} has more than {MAX_DIGITS} digits before or after the decimal point (the limit)"
        ),
    )
}

/// `num / den` reduced, for `num`, `den` given as unsigned magnitudes with a sign, when it
/// fits in `i128`.
fn small(negative: bool, n: u128, d: u128) -> Option<Rational> {
    let g = gcd(n, d);
    let (n, d) = if g > 1 { (n / g, d / g) } else { (n, d) };
    let den = i128::try_from(d).ok()?;
    let num = if negative { 0i128.checked_sub_unsigned(n)? } else { i128::try_from(n).ok()? };
    Some(Rational(Repr::Small { num, den }))
}

impl Rational {
    /// Zero.
    pub const ZERO: Rational = Rational(Repr::Small { num: 0, den: 1 });
    /// One.
    pub const ONE: Rational = Rational(Repr::Small { num: 1, den: 1 });

    /// `num / den`, reduced; an error when `den` is 0.
    pub fn new(num: i128, den: i128) -> Result<Rational, Error> {
        if den == 0 {
            return Err(Error::new(
                ErrorKind::DivisionByZero,
                format!("division by zero in the fraction {num}/0"),
            ));
        }
        let negative = (num < 0) != (den < 0) && num != 0;
        Ok(small(negative, num.unsigned_abs(), den.unsigned_abs())
            .unwrap_or_else(|| Rational::from_big(BigInt::from(num), BigInt::from(den))))
    }

    /// The integer `n`.
    pub const fn from_integer(n: i128) -> Rational {
        Rational(Repr::Small { num: n, den: 1 })
    }

    /// `num / den` reduced and in its canonical representation; `den` must not be 0.
    fn from_big(num: BigInt, den: BigInt) -> Rational {
        debug_assert!(!den.is_zero());
        let g = num.gcd(&den);
        let (mut num, mut den) =
            if g.magnitude().bits() > 1 { (num / &g, den / &g) } else { (num, den) };
        if den.sign() == Sign::Minus {
            (num, den) = (-num, -den);
        }
        match (num.to_i128(), den.to_i128()) {
            (Some(num), Some(den)) => Rational(Repr::Small { num, den }),
            _ => Rational(Repr::Big(Box::new(Big { num, den }))),
        }
    }

    /// The numerator and the denominator as big integers.
    fn parts(&self) -> (BigInt, BigInt) {
        match &self.0 {
            Repr::Small { num, den } => (BigInt::from(*num), BigInt::from(*den)),
            Repr::Big(b) => (b.num.clone(), b.den.clone()),
        }
    }

    /// Whether the number is 0.
    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Small { num: 0, .. })
    }

    /// Whether the number is below 0.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small { num, .. } => *num < 0,
            Repr::Big(b) => b.num.sign() == Sign::Minus,
        }
    }

    /// Whether the number is a whole number.
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Small { den, .. } => *den == 1,
            // A denominator that does not fit in i128 is not 1.
            Repr::Big(b) => b.den == BigInt::from(1),
        }
    }

    /// `1 / self`; an error for 0.
    pub fn recip(&self) -> Result<Rational, Error> {
        if self.is_zero() {
            return Err(Error::new(ErrorKind::DivisionByZero, "division by zero"));
        }
        if let Repr::Small { num, den } = self.0
            && num != i128::MIN
        {
            return Ok(Rational(if num < 0 {
                Repr::Small { num: -den, den: -num }
            } else {
                Repr::Small { num: den, den: num }
            }));
        }
        let (num, den) = self.parts();
        Ok(Rational::from_big(den, num))
    }

    /// `self / other`; an error for division by zero.
    pub fn checked_div(&self, other: &Rational) -> Result<Rational, Error> {
        Ok(self * &other.recip()?)
    }

    /// The exact value of a finite `f64`, or an error when it is not finite.
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
        let (mantissa, exp) = (mantissa >> tz, exp + tz);
        let negative = x < 0.0;
        // An odd mantissa over a power of two is already reduced.
        let fits = if exp >= 0 { exp + 53 < 127 } else { -exp < 127 };
        let magnitude = if fits {
            let m = i128::from(mantissa);
            if exp >= 0 {
                Rational(Repr::Small { num: m << exp, den: 1 })
            } else {
                Rational(Repr::Small { num: m, den: 1i128 << -exp })
            }
        } else if exp >= 0 {
            Rational::from_big(BigInt::from(mantissa) << exp as usize, BigInt::from(1))
        } else {
            Rational::from_big(BigInt::from(mantissa), BigInt::from(1) << (-exp) as usize)
        };
        Ok(if negative { -magnitude } else { magnitude })
    }

    /// The exact value of a decimal number as written: `35`, `-0.35`, `1.5e-3`, `2E5`; an
    /// [`ErrorKind::Overflow`] error beyond [`MAX_DIGITS`] digits on either side of the
    /// decimal point (zero excepted, whatever its exponent).
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
        // Fast path, the common case: at most 36 digits and a small exponent, on i128.
        if whole.len() + frac.len() <= 36 && exp.unsigned_abs() <= 38 {
            let m =
                whole.bytes().chain(frac.bytes()).fold(0i128, |m, b| m * 10 + i128::from(b - b'0'));
            let scale = exp - frac.len() as i32;
            let p = 10i128.checked_pow(scale.unsigned_abs());
            let value = match p {
                Some(p) if scale < 0 => Rational::new(m, p).ok(),
                Some(p) => m.checked_mul(p).map(Rational::from_integer),
                None => None,
            };
            if let Some(v) = value {
                return Ok(if negative { -v } else { v });
            }
        }
        // The value is `m * 10^scale`, `m` the digits without leading or trailing zeros.
        let joined: String = [whole, frac].concat();
        let sig = joined.trim_start_matches('0').trim_end_matches('0');
        if sig.is_empty() {
            return Ok(Rational::ZERO);
        }
        let trailing = joined.len() - joined.trim_end_matches('0').len();
        let scale = i64::from(exp) - frac.len() as i64 + trailing as i64;
        // Digits before the decimal point and after it, of the value written out.
        if sig.len() as i64 + scale > MAX_DIGITS as i64 || -scale > MAX_DIGITS as i64 {
            return Err(too_large(&format!("{s:?}")));
        }
        let value = match (sig.parse::<i128>(), u32::try_from(scale.unsigned_abs())) {
            (Ok(m), Ok(k)) if k <= 38 => match 10i128.checked_pow(k) {
                Some(p) if scale < 0 => Rational::new(m, p).ok(),
                Some(p) => m.checked_mul(p).map(Rational::from_integer),
                None => None,
            },
            _ => None,
        };
        let value = value.unwrap_or_else(|| {
            let m: BigInt = sig.parse().unwrap_or_default();
            let ten = BigInt::from(10).pow(scale.unsigned_abs() as u32);
            if scale < 0 {
                Rational::from_big(m, ten)
            } else {
                Rational::from_big(m * ten, BigInt::from(1))
            }
        });
        Ok(if negative { -value } else { value })
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

    /// The nearest `f64` (ties to even): `±inf` beyond `f64::MAX`, a subnormal or 0 near 0;
    /// exact when the number is a dyadic rational with at most 53 significant bits in the
    /// range of `f64`.
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::Small { num, den } => small_to_f64(*num, *den),
            Repr::Big(b) => big_to_f64(&b.num, &b.den),
        }
    }
}

/// The nearest `f64` to `num / den` (`den > 0`, both in i128, so the value lies within
/// `[2^-127, 2^127]` unless 0).
fn small_to_f64(num: i128, den: i128) -> f64 {
    if num == 0 {
        return 0.0;
    }
    let (n, d) = (num.unsigned_abs(), den.unsigned_abs());
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
    let x = m as f64 * pow2(exp);
    if num < 0 { -x } else { x }
}

/// `2^e` as an `f64`, for `-1074 <= e <= 1023`.
fn pow2(e: i32) -> f64 {
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (e + 1074))
    }
}

/// The nearest `f64` to `num / den` (`den > 0`), of any size.
fn big_to_f64(num: &BigInt, den: &BigInt) -> f64 {
    let (n, d): (&BigUint, &BigUint) = (num.magnitude(), den.magnitude());
    if n.is_zero() {
        return 0.0;
    }
    // b with 2^(b-1) <= n/d < 2^b.
    let mut b = n.bits() as i64 - d.bits() as i64;
    let at_least = if b >= 0 { *n >= d << (b as usize) } else { n << ((-b) as usize) >= *d };
    if at_least {
        b += 1;
    }
    let x = if b > 1024 {
        f64::INFINITY
    } else {
        // The unit of the last bit kept: 53 significant bits, or fewer among subnormals.
        let u = (b - 53).max(-1074);
        let (nn, dd) =
            if u >= 0 { (n.clone(), d << (u as usize)) } else { (n << ((-u) as usize), d.clone()) };
        let (q, r) = nn.div_rem(&dd);
        // q < 2^53.
        let mut m = q.to_u64().unwrap_or(u64::MAX);
        match (r << 1usize).cmp(&dd) {
            Ordering::Greater => m += 1,
            Ordering::Equal if m & 1 == 1 => m += 1,
            _ => {}
        }
        // m <= 2^53: exact; a product past f64::MAX is inf, as rounding says.
        if u > 971 { f64::INFINITY } else { m as f64 * pow2(u as i32) }
    };
    if num.sign() == Sign::Minus { -x } else { x }
}

/// `a/b ± c/d` on i128, when it fits.
fn small_add_sub(a: i128, b: i128, c: i128, d: i128, subtract: bool) -> Option<Rational> {
    // Denominators are positive, so their gcd fits and the divisions are exact:
    // (a * (d/g) ± c * (b/g)) / (b/g * d).
    let g = gcd(b.unsigned_abs(), d.unsigned_abs()) as i128;
    let (bg, dg) = (b / g, d / g);
    let (x, y) = (a.checked_mul(dg)?, c.checked_mul(bg)?);
    let num = if subtract { x.checked_sub(y)? } else { x.checked_add(y)? };
    let den = bg.checked_mul(d)?;
    small(num < 0, num.unsigned_abs(), den.unsigned_abs())
}

impl Add<&Rational> for &Rational {
    type Output = Rational;

    fn add(self, other: &Rational) -> Rational {
        if let (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) =
            (&self.0, &other.0)
            && let Some(r) = small_add_sub(*a, *b, *c, *d, false)
        {
            return r;
        }
        let ((a, b), (c, d)) = (self.parts(), other.parts());
        Rational::from_big(a * &d + c * &b, b * d)
    }
}

impl Sub<&Rational> for &Rational {
    type Output = Rational;

    fn sub(self, other: &Rational) -> Rational {
        if let (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) =
            (&self.0, &other.0)
            && let Some(r) = small_add_sub(*a, *b, *c, *d, true)
        {
            return r;
        }
        let ((a, b), (c, d)) = (self.parts(), other.parts());
        Rational::from_big(a * &d - c * &b, b * d)
    }
}

impl Mul<&Rational> for &Rational {
    type Output = Rational;

    fn mul(self, other: &Rational) -> Rational {
        if self.is_zero() || other.is_zero() {
            return Rational::ZERO;
        }
        if let (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) =
            (&self.0, &other.0)
        {
            // Cancel crosswise first; each gcd divides a positive denominator, so it fits.
            let g1 = gcd(a.unsigned_abs(), d.unsigned_abs()) as i128;
            let g2 = gcd(c.unsigned_abs(), b.unsigned_abs()) as i128;
            // The factors left are pairwise coprime: the product is reduced.
            if let (Some(num), Some(den)) =
                ((a / g1).checked_mul(c / g2), (b / g2).checked_mul(d / g1))
            {
                return Rational(Repr::Small { num, den });
            }
        }
        let ((a, b), (c, d)) = (self.parts(), other.parts());
        Rational::from_big(a * c, b * d)
    }
}

impl Neg for &Rational {
    type Output = Rational;

    fn neg(self) -> Rational {
        match &self.0 {
            Repr::Small { num, den } if *num != i128::MIN => {
                Rational(Repr::Small { num: -num, den: *den })
            }
            _ => {
                let (num, den) = self.parts();
                Rational::from_big(-num, den)
            }
        }
    }
}

/// The by-value forms of the operators, for convenience.
macro_rules! by_value {
    ($($tr:ident $f:ident),*) => {$(
        impl $tr<Rational> for Rational {
            type Output = Rational;
            fn $f(self, other: Rational) -> Rational {
                (&self).$f(&other)
            }
        }
        impl $tr<&Rational> for Rational {
            type Output = Rational;
            fn $f(self, other: &Rational) -> Rational {
                (&self).$f(other)
            }
        }
        impl $tr<Rational> for &Rational {
            type Output = Rational;
            fn $f(self, other: Rational) -> Rational {
                self.$f(&other)
            }
        }
    )*};
}
by_value!(Add add, Sub sub, Mul mul);

impl Neg for Rational {
    type Output = Rational;

    fn neg(self) -> Rational {
        -&self
    }
}

impl Sum for Rational {
    fn sum<I: Iterator<Item = Rational>>(iter: I) -> Rational {
        iter.fold(Rational::ZERO, |acc, x| acc + x)
    }
}

impl<'a> Sum<&'a Rational> for Rational {
    fn sum<I: Iterator<Item = &'a Rational>>(iter: I) -> Rational {
        iter.fold(Rational::ZERO, |acc, x| acc + x)
    }
}

/// Exact comparison of `a/b` and `c/d` (`b, d > 0`) on i128 that never overflows: compares
/// the floors (Euclidean division), then the fractional parts through their reciprocals, as
/// a continued fraction.
fn small_cmp(mut a: i128, mut b: i128, mut c: i128, mut d: i128) -> Ordering {
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

impl Ord for Rational {
    fn cmp(&self, other: &Rational) -> Ordering {
        if let (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) =
            (&self.0, &other.0)
        {
            return small_cmp(*a, *b, *c, *d);
        }
        // Denominators are positive: a/b < c/d  <=>  a d < c b.
        let ((a, b), (c, d)) = (self.parts(), other.parts());
        (a * d).cmp(&(c * b))
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
        match &self.0 {
            Repr::Small { num, den: 1 } => write!(f, "{num}"),
            Repr::Small { num, den } => write!(f, "{num}/{den}"),
            Repr::Big(b) if b.den == BigInt::from(1) => write!(f, "{}", b.num),
            Repr::Big(b) => write!(f, "{}/{}", b.num, b.den),
        }
    }
}

impl fmt::Debug for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Rational {
    type Err = Error;

    /// Reads `a` or `a/b` (integers of at most [`MAX_DIGITS`] digits, optional sign, spaces
    /// around the parts allowed).
    fn from_str(s: &str) -> Result<Rational, Error> {
        let bad = || {
            Error::new(ErrorKind::InvalidInput, format!("{s:?} is not a fraction like 13/15 or 7"))
        };
        let int = |t: &str| -> Result<BigInt, Error> {
            let t = t.trim();
            let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            if digits.trim_start_matches('0').len() > MAX_DIGITS {
                return Err(too_large(&format!("{s:?}")));
            }
            t.parse().map_err(|_| bad())
        };
        let (num, den) = match s.split_once('/') {
            None => (int(s)?, BigInt::from(1)),
            Some((n, d)) => (int(n)?, int(d)?),
        };
        if den.is_zero() {
            return Err(Error::new(
                ErrorKind::DivisionByZero,
                format!("division by zero in the fraction {s}"),
            ));
        }
        Ok(Rational::from_big(num, den))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn r(n: i128, d: i128) -> Rational {
        Rational::new(n, d).unwrap()
    }

    /// Numerator and denominator, for small numbers.
    fn nd(x: &Rational) -> (i128, i128) {
        match x.0 {
            Repr::Small { num, den } => (num, den),
            Repr::Big(_) => panic!("{x} is not small"),
        }
    }

    fn dec(s: &str) -> Rational {
        Rational::from_decimal(s).unwrap()
    }

    #[test]
    fn decimals_read_as_written() {
        assert_eq!(dec("0.35"), r(7, 20));
        assert_eq!(dec("-33.3"), r(-333, 10));
        assert_eq!(dec("1.5e-3"), r(3, 2000));
        assert_eq!(dec("2E5"), r(200_000, 1));
        assert_eq!(dec(" 7 "), r(7, 1));
        assert_eq!(dec(".5"), r(1, 2));
        assert_eq!(dec("5."), r(5, 1));
        assert_eq!(dec("-0012.50"), r(-25, 2));
        assert_eq!(dec("0.000"), Rational::ZERO);
        for bad in ["", "-", ".", "1.2.3", "1e", "abc", "0x10", "1e5.5", "--1", "1 2"] {
            assert_eq!(Rational::from_decimal(bad).unwrap_err().kind(), ErrorKind::InvalidInput);
        }
        // Past 128 bits, exactly.
        assert_eq!(dec("1e60").to_string(), format!("1{}", "0".repeat(60)));
        assert_eq!(
            dec("50.00000000000000000001").to_string(),
            "5000000000000000000001/100000000000000000000"
        );
        // Up to MAX_DIGITS digits on each side of the point, and no further.
        let most = format!("{}.{}", "9".repeat(MAX_DIGITS), "9".repeat(MAX_DIGITS));
        assert!(Rational::from_decimal(&most).is_ok());
        for over in [
            format!("1{}", "0".repeat(MAX_DIGITS)),
            format!("0.{}1", "0".repeat(MAX_DIGITS)),
            format!("1e{MAX_DIGITS}"),
            format!("1e-{}", MAX_DIGITS + 1),
            "1e99999".to_string(),
        ] {
            let e = Rational::from_decimal(&over).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Overflow, "{over}");
            assert!(e.message().ends_with(
                "has more than 1000 digits before or after the decimal point (the limit)"
            ));
        }
        assert!(Rational::from_decimal(&format!("1e{}", MAX_DIGITS - 1)).is_ok());
        assert!(Rational::from_decimal(&format!("1e-{MAX_DIGITS}")).is_ok());
        assert!(Rational::from_decimal(&format!("0.{}1", "0".repeat(MAX_DIGITS - 1))).is_ok());
        // Leading zeros do not count.
        assert_eq!(dec(&format!("{}7", "0".repeat(5000))), r(7, 1));
        // Exponents at the ends of i32 (fuzz target points_csv): an error, never an overflow.
        for extreme in ["0.5e-2147483648", "5e-2147483648", "1.5e2147483647", "1e-2147483648"] {
            assert_eq!(
                Rational::from_decimal(extreme).unwrap_err().kind(),
                ErrorKind::Overflow,
                "{extreme}"
            );
        }
        assert_eq!(dec("0.0e-2147483648"), Rational::ZERO);
        assert_eq!(dec("-0e2147483647"), Rational::ZERO);
        assert_eq!(Rational::from_f64_decimal(0.35).unwrap(), r(7, 20));
        assert_eq!(Rational::from_f64_decimal(1e-7).unwrap(), r(1, 10_000_000));
        // Every finite float's shortest decimal is within the limits.
        for x in [f64::MAX, f64::MIN_POSITIVE, 5e-324, -1e300] {
            assert_eq!(Rational::from_f64_decimal(x).unwrap().to_f64(), x);
        }
        assert!(Rational::from_f64_decimal(f64::NAN).is_err());
    }

    #[test]
    fn reduced_with_positive_denominator() {
        assert_eq!(r(6, -4), r(-3, 2));
        assert_eq!(nd(&r(6, -4)), (-3, 2));
        assert_eq!(r(0, -5), Rational::ZERO);
        assert_eq!(nd(&r(i128::MIN, 2)), (i128::MIN / 2, 1));
        assert_eq!(nd(&r(i128::MIN, 1)), (i128::MIN, 1));
        assert_eq!(Rational::new(1, 0).unwrap_err().kind(), ErrorKind::DivisionByZero);
        // Past i128, exactly.
        assert_eq!(r(i128::MIN, -1).to_string(), "170141183460469231731687303715884105728");
        assert_eq!(r(1, i128::MIN).to_string(), "-1/170141183460469231731687303715884105728");
        assert_eq!(r(-1, i128::MIN + 1).to_string(), format!("1/{}", i128::MAX));
        // A big result that fits again is small again: equality stays structural.
        let big = r(i128::MIN, -1);
        assert!(matches!(big.0, Repr::Big(_)));
        assert_eq!(nd(&(&big - &Rational::ONE)), (i128::MAX, 1));
        assert_eq!(&big - &Rational::ONE, Rational::from_integer(i128::MAX));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(r(1, 6) + r(1, 3), r(1, 2));
        assert_eq!(r(1, 6) - r(1, 3), r(-1, 6));
        assert_eq!(r(2, 3) * r(9, 4), r(3, 2));
        assert_eq!(r(2, 3).checked_div(&r(-4, 9)).unwrap(), r(-3, 2));
        assert_eq!(r(-2, 3).recip().unwrap(), r(-3, 2));
        assert_eq!(Rational::ZERO.recip().unwrap_err().kind(), ErrorKind::DivisionByZero);
        assert_eq!(
            r(1, 2).checked_div(&Rational::ZERO).unwrap_err().kind(),
            ErrorKind::DivisionByZero
        );
        let sum: Rational = [r(1, 2), r(1, 3), r(1, 6)].iter().sum();
        assert_eq!(sum, Rational::ONE);
        assert!(sum.is_integer() && !r(1, 2).is_integer() && r(-1, 2).is_negative());
        assert!(!Rational::ZERO.is_negative() && Rational::ZERO.is_zero());
    }

    #[test]
    fn past_128_bits_nothing_overflows() {
        let max = Rational::from_integer(i128::MAX);
        let min = Rational::from_integer(i128::MIN);
        let two = Rational::from_integer(2);
        assert_eq!((&max + &Rational::ONE).to_string(), "170141183460469231731687303715884105728");
        assert_eq!((&min - &Rational::ONE).to_string(), "-170141183460469231731687303715884105729");
        assert_eq!((&max * &two).to_string(), "340282366920938463463374607431768211454");
        assert_eq!((-&min).to_string(), "170141183460469231731687303715884105728");
        assert_eq!(min.recip().unwrap().to_string(), "-1/170141183460469231731687303715884105728");
        let tiny = r(1, i128::MAX);
        assert_eq!(&tiny * &r(1, 2), "1/340282366920938463463374607431768211454".parse().unwrap());
        // And back: what fits is small again, and equal to the same number computed small.
        assert_eq!(&(&max * &two) * &r(1, 2), max);
        assert_eq!(&(&max + &Rational::ONE) - &Rational::ONE, max);
        assert_eq!(max.clone() * tiny.clone(), Rational::ONE);
        assert_eq!(&max - &max, Rational::ZERO);
        assert_eq!(&min + &max, Rational::from_integer(-1));
        assert!(&max + &Rational::ONE > max && -(&max + &Rational::ONE) == min);
        assert!(-(&max + &two) < min && -(&max + &two) > -(&max * &two));
        assert!(r(1, i128::MAX) * r(1, 2) < r(1, i128::MAX));
        // (1 + 10^-20)^8 has 160 decimals.
        let x = dec("1.00000000000000000001");
        let mut p = Rational::ONE;
        for _ in 0..8 {
            p = &p * &x;
        }
        assert_eq!(p.to_string().len(), 161 + 1 + 161);
        assert!(p > Rational::ONE && p.to_f64() == 1.0);
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
        assert_eq!(format!("{:?}", r(-4, 6)), "-2/3");
        assert_eq!("13/15".parse::<Rational>().unwrap(), r(13, 15));
        assert_eq!(" -218 / 3 ".parse::<Rational>().unwrap(), r(-218, 3));
        assert_eq!("50".parse::<Rational>().unwrap(), Rational::from(50));
        assert_eq!("+6/-4".parse::<Rational>().unwrap(), r(-3, 2));
        assert_eq!("1/0".parse::<Rational>().unwrap_err().kind(), ErrorKind::DivisionByZero);
        let e = "56.67".parse::<Rational>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.to_string(), "\"56.67\" is not a fraction like 13/15 or 7");
        for bad in ["", "/", "1/", "-", "1/2/3", "a/2"] {
            assert_eq!(bad.parse::<Rational>().unwrap_err().kind(), ErrorKind::InvalidInput);
        }
        let long = format!("1/{}", "7".repeat(300));
        assert_eq!(long.parse::<Rational>().unwrap().to_string(), long);
        let e = format!("1{}", "0".repeat(MAX_DIGITS)).parse::<Rational>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Overflow);
    }

    #[test]
    fn exact_from_f64() {
        assert_eq!(Rational::from_f64(0.5).unwrap(), r(1, 2));
        assert_eq!(Rational::from_f64(-3.0).unwrap(), Rational::from(-3));
        assert_eq!(Rational::from_f64(-0.0).unwrap(), Rational::ZERO);
        assert_eq!(Rational::from_f64(0.1).unwrap(), r(3602879701896397, 1 << 55));
        assert_eq!(Rational::from_f64(2f64.powi(126)).unwrap(), Rational::from_integer(1 << 126));
        assert_eq!(Rational::from_f64(2f64.powi(-126)).unwrap(), r(1, 1 << 126));
        // Every finite float, exactly, and back.
        for x in [2f64.powi(127), f64::MAX, 2f64.powi(-127), f64::MIN_POSITIVE, 1e-300, 5e-324] {
            let q = Rational::from_f64(x).unwrap();
            assert_eq!(q.to_f64(), x);
            assert_eq!((-q).to_f64(), -x);
        }
        assert_eq!(
            Rational::from_f64(2f64.powi(200)).unwrap(),
            format!("{}", BigInt::from(1) << 200usize).parse().unwrap()
        );
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
        // Beyond the floats: infinity; below: subnormals, rounded, then 0.
        assert_eq!(dec("1e400").to_f64(), f64::INFINITY);
        assert_eq!(dec("-1e400").to_f64(), f64::NEG_INFINITY);
        assert_eq!(dec("1e-400").to_f64(), 0.0);
        assert_eq!(dec("3e-324").to_f64(), 5e-324);
        assert_eq!(dec("2e-324").to_f64(), 0.0);
        assert_eq!(dec("2.5e-320").to_f64(), 2.5e-320);
        // Just below f64::MAX's rounding boundary stays finite; at it, infinity (ties to even).
        let max = Rational::from_f64(f64::MAX).unwrap();
        let half_ulp = Rational::from_f64(2f64.powi(970)).unwrap();
        assert_eq!((&max + &half_ulp).to_f64(), f64::INFINITY);
        assert_eq!((&max + &(&half_ulp * &r(1, 2))).to_f64(), f64::MAX);
    }

    fn small_q() -> impl Strategy<Value = Rational> {
        (-60i128..=60, 1i128..=60).prop_map(|(n, d)| Rational::new(n, d).unwrap())
    }

    /// A number past 128 bits: a small one scaled by `2^k / 3^j` of 100 to 400 bits.
    fn big_q() -> impl Strategy<Value = Rational> {
        (small_q(), 100usize..400, 60u32..250).prop_map(|(x, k, j)| {
            let scale = Rational::from_big(BigInt::from(1) << k, BigInt::from(3).pow(j));
            &x * &scale
        })
    }

    fn any_q() -> impl Strategy<Value = Rational> {
        prop_oneof![small_q(), big_q()]
    }

    proptest! {
        #[test]
        fn field_laws(a in any_q(), b in any_q(), c in any_q()) {
            prop_assert_eq!(&a + &b, &b + &a);
            prop_assert_eq!(&a * &b, &b * &a);
            prop_assert_eq!(&(&a + &b) + &c, &a + &(&b + &c));
            prop_assert_eq!(&(&a * &b) * &c, &a * &(&b * &c));
            prop_assert_eq!(&a * &(&b + &c), &(&a * &b) + &(&a * &c));
            prop_assert_eq!(&a + &Rational::ZERO, a.clone());
            prop_assert_eq!(&a * &Rational::ONE, a.clone());
            prop_assert_eq!(&a + &(-&a), Rational::ZERO);
            prop_assert_eq!(&a - &b, &a + &(-&b));
            prop_assert_eq!(&(&a - &b) + &b, a.clone());
            if !a.is_zero() {
                prop_assert_eq!(&a * &a.recip().unwrap(), Rational::ONE);
                prop_assert_eq!(b.checked_div(&a).unwrap(), &b * &a.recip().unwrap());
            }
        }

        #[test]
        fn reduced_and_ordered(a in any_q(), b in any_q(), c in any_q()) {
            for x in [&a, &b] {
                let (n, d) = x.parts();
                prop_assert!(d.sign() == Sign::Plus);
                prop_assert_eq!(n.gcd(&d), BigInt::from(1));
                // Canonical: small whenever it fits.
                prop_assert_eq!(matches!(x.0, Repr::Small { .. }), n.to_i128().is_some() && d.to_i128().is_some());
            }
            // Oracle: cross-multiplication on big integers.
            let ((an, ad), (bn, bd)) = (a.parts(), b.parts());
            prop_assert_eq!(a.cmp(&b), (an * &bd).cmp(&(bn * &ad)));
            // Order is compatible with addition.
            prop_assert_eq!(a.cmp(&b), (&a + &c).cmp(&(&b + &c)));
            prop_assert_eq!(a.to_string().parse::<Rational>().unwrap(), a.clone());
        }

        #[test]
        fn small_values_to_f64(a in small_q()) {
            let (n, d) = nd(&a);
            prop_assert_eq!(a.to_f64(), n as f64 / d as f64);
        }

        #[test]
        fn f64_round_trip(x in proptest::num::f64::ANY) {
            match Rational::from_f64(x) {
                Ok(q) => prop_assert_eq!(q.to_f64(), x),
                Err(_) => prop_assert!(!x.is_finite()),
            }
        }

        /// The big-integer conversion agrees with the machine one wherever both apply.
        #[test]
        fn big_to_f64_agrees(n in any::<i128>(), d in 1i128..=i128::MAX) {
            prop_assert_eq!(
                big_to_f64(&BigInt::from(n), &BigInt::from(d)).to_bits(),
                small_to_f64(n, d).to_bits()
            );
        }

        #[test]
        fn to_f64_is_nearest(q in any_q()) {
            let x = q.to_f64();
            prop_assume!(x.is_finite() && x != 0.0);
            // Neither neighbour of x is strictly nearer to q, checked exactly.
            let up = f64::from_bits(x.abs().to_bits() + 1).copysign(x);
            let down = f64::from_bits(x.abs().to_bits() - 1).copysign(x);
            let dist = |y: f64| {
                let t = &Rational::from_f64(y).unwrap() - &q;
                if t.is_negative() { -t } else { t }
            };
            if up.is_finite() {
                prop_assert!(dist(x) <= dist(up), "{} -> {}", q, x);
            }
            prop_assert!(dist(x) <= dist(down), "{} -> {}", q, x);
        }
    }
}
