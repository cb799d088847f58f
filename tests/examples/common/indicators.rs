//! Technical indicators over a series of closes, oldest first: SMA, EMA, RSI (Wilder),
//! MACD and Bollinger bands. Each returns one `Option` per input: `None` until the window
//! is full. Plain `f64`: indicators are for reading, not for money arithmetic.
//!
//! Tested against published worked examples (StockCharts ChartSchool's EMA and RSI tables,
//! a five-bar Bollinger example) and against what the definitions imply (MACD on a straight
//! line), see the tests at the end.

/// Simple moving average of the last `n` values.
pub fn sma(values: &[f64], n: usize) -> Vec<Option<f64>> {
    let mut out = vec![None; values.len()];
    if n == 0 {
        return out;
    }
    let mut sum = 0.0;
    for (i, v) in values.iter().enumerate() {
        sum += v;
        if i >= n {
            sum -= values[i - n];
        }
        if i + 1 >= n {
            out[i] = Some(sum / n as f64);
        }
    }
    out
}

/// Exponential moving average with smoothing 2 / (n + 1), seeded with the SMA of the
/// first `n` values (the usual convention, and StockCharts').
pub fn ema(values: &[f64], n: usize) -> Vec<Option<f64>> {
    let mut out = vec![None; values.len()];
    if n == 0 || values.len() < n {
        return out;
    }
    let k = 2.0 / (n as f64 + 1.0);
    let mut current = values[..n].iter().sum::<f64>() / n as f64;
    out[n - 1] = Some(current);
    for (slot, value) in out.iter_mut().zip(values).skip(n) {
        current += (value - current) * k;
        *slot = Some(current);
    }
    out
}

/// EMA over a series with a leading gap (the MACD line before its slow EMA exists).
fn ema_of_defined(values: &[Option<f64>], n: usize) -> Vec<Option<f64>> {
    let start = values
        .iter()
        .position(Option::is_some)
        .unwrap_or(values.len());
    let defined: Vec<f64> = values[start..].iter().map(|v| v.unwrap_or(0.0)).collect();
    let mut out = vec![None; start];
    out.extend(ema(&defined, n));
    out
}

/// Wilder's relative strength index: the first average gain and loss are plain means of
/// `n` changes, later ones (previous × (n − 1) + current) / n. 100 when nothing was lost.
pub fn rsi(values: &[f64], n: usize) -> Vec<Option<f64>> {
    let mut out = vec![None; values.len()];
    if n == 0 || values.len() <= n {
        return out;
    }
    let change = |i: usize| values[i] - values[i - 1];
    let (mut gain, mut loss) = (1..=n).fold((0.0, 0.0), |(g, l), i| {
        let c = change(i);
        (g + c.max(0.0), l + (-c).max(0.0))
    });
    gain /= n as f64;
    loss /= n as f64;
    let index = |gain: f64, loss: f64| {
        if loss == 0.0 {
            100.0
        } else {
            100.0 - 100.0 / (1.0 + gain / loss)
        }
    };
    out[n] = Some(index(gain, loss));
    for (i, slot) in out.iter_mut().enumerate().skip(n + 1) {
        let c = change(i);
        gain = (gain * (n as f64 - 1.0) + c.max(0.0)) / n as f64;
        loss = (loss * (n as f64 - 1.0) + (-c).max(0.0)) / n as f64;
        *slot = Some(index(gain, loss));
    }
    out
}

/// One MACD value: the line (fast EMA − slow EMA), its signal EMA, and their difference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Macd {
    pub line: f64,
    pub signal: Option<f64>,
    pub histogram: Option<f64>,
}

/// MACD (12, 26, 9 by convention).
pub fn macd(values: &[f64], fast: usize, slow: usize, signal: usize) -> Vec<Option<Macd>> {
    let (f, s) = (ema(values, fast), ema(values, slow));
    let line: Vec<Option<f64>> = f.iter().zip(&s).map(|(f, s)| Some((*f)? - (*s)?)).collect();
    let sig = ema_of_defined(&line, signal);
    line.iter()
        .zip(sig)
        .map(|(line, signal)| {
            let line = (*line)?;
            Some(Macd {
                line,
                signal,
                histogram: signal.map(|s| line - s),
            })
        })
        .collect()
}

/// Bollinger bands: the `n`-value SMA ± `k` population standard deviations (Bollinger's
/// definition divides by n, not n − 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bands {
    pub lower: f64,
    pub middle: f64,
    pub upper: f64,
}

pub fn bollinger(values: &[f64], n: usize, k: f64) -> Vec<Option<Bands>> {
    sma(values, n)
        .into_iter()
        .enumerate()
        .map(|(i, mean)| {
            let mean = mean?;
            let window = &values[i + 1 - n..=i];
            let variance = window.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
            let width = k * variance.sqrt();
            Some(Bands {
                lower: mean - width,
                middle: mean,
                upper: mean + width,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: Option<f64>, expected: f64, tolerance: f64) {
        let actual = actual.expect("a value");
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} is not {expected} ± {tolerance}"
        );
    }

    /// StockCharts ChartSchool, "Moving Averages - Simple and Exponential": the 10-day EMA
    /// worksheet (closes and EMA values printed to two decimals).
    #[test]
    fn ema_matches_the_stockcharts_worksheet() {
        let closes = [
            22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29, 22.15, 22.39,
            22.38, 22.61, 23.36, 24.05, 23.75, 23.83, 23.95, 23.63, 23.82, 23.87, 23.65, 23.19,
            23.10, 23.33, 22.68, 23.10, 22.40, 22.17,
        ];
        let published = [
            22.22, 22.21, 22.24, 22.27, 22.33, 22.52, 22.80, 22.97, 23.13, 23.28, 23.34, 23.43,
            23.51, 23.54, 23.47, 23.40, 23.39, 23.26, 23.23, 23.08, 22.92,
        ];
        let ema = ema(&closes, 10);
        assert!(ema[..9].iter().all(Option::is_none));
        close(sma(&closes, 10)[9], 22.22, 0.005);
        for (i, expected) in published.iter().enumerate() {
            // The worksheet rounds each printed value; one (23.535 → 23.54) sits on the edge.
            close(ema[9 + i], *expected, 0.011);
        }
    }

    /// StockCharts ChartSchool, "Relative Strength Index (RSI)": the 14-day worksheet on
    /// QQQQ closes. The worksheet carries its averages rounded, so its RSI differs from the
    /// exact one by up to 0.07 on the first rows, converging later.
    #[test]
    fn rsi_matches_the_stockcharts_worksheet() {
        let closes = [
            44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.10, 45.42, 45.84, 46.08, 45.89, 46.03,
            45.61, 46.28, 46.28, 46.00, 46.03, 46.41, 46.22, 45.64, 46.21, 46.25, 45.71, 46.45,
            45.78, 45.35, 44.03, 44.18, 44.22, 44.57, 43.42, 42.66, 43.13,
        ];
        let published = [
            70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42,
            39.99, 41.46, 41.87, 45.46, 37.30, 33.08, 37.77,
        ];
        let rsi = rsi(&closes, 14);
        assert!(rsi[..14].iter().all(Option::is_none));
        for (i, expected) in published.iter().enumerate() {
            close(rsi[14 + i], *expected, 0.08);
        }
        // Nothing lost: 100 by definition.
        let rising: Vec<f64> = (0..20).map(f64::from).collect();
        assert_eq!(super::rsi(&rising, 14)[19], Some(100.0));
    }

    /// The worked five-bar example of Bollinger bands (k = 2): closes 25.5, 26.75, 27.0,
    /// 26.5, 27.25; mean 26.6, population deviation √0.365.
    #[test]
    fn bollinger_matches_the_worked_example() {
        let bands = bollinger(&[25.5, 26.75, 27.0, 26.5, 27.25], 5, 2.0);
        assert!(bands[..4].iter().all(Option::is_none));
        let b = bands[4].expect("five values");
        close(Some(b.middle), 26.6, 1e-9);
        close(Some(b.upper), 26.6 + 2.0 * 0.365f64.sqrt(), 1e-9);
        close(Some(b.lower), 25.391_70, 1e-5);
    }

    /// On a straight line rising `s` a bar, an n-bar EMA lags by (n − 1) / 2 bars once
    /// settled, so MACD(12, 26) tends to (25 − 11) / 2 × s = 7 s and its signal to the same.
    #[test]
    fn macd_on_a_straight_line_is_seven_slopes() {
        let line: Vec<f64> = (0..400).map(|i| 1_000.0 + 3.0 * f64::from(i)).collect();
        let macd = macd(&line, 12, 26, 9);
        assert!(macd[..25].iter().all(Option::is_none));
        assert!(macd[25].is_some_and(|m| m.signal.is_none()));
        let last = macd[399].expect("settled");
        close(Some(last.line), 21.0, 1e-6);
        close(last.signal, 21.0, 1e-6);
        close(last.histogram, 0.0, 1e-6);
        // The signal starts once 9 MACD values exist: index 25 + 8.
        assert!(macd[33].is_some_and(|m| m.signal.is_some()));
        assert!(macd[32].is_some_and(|m| m.signal.is_none()));
    }
}
