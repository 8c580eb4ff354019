//! `report.html` in a real browser: Debian's `chromium`, headless. For the report of
//! a run and of a sweep: the page loads without console messages (its
//! Content-Security-Policy turns any network or script use into one), every figure
//! renders a non-empty SVG, no page-level horizontal scrolling on a phone-sized
//! window, every number in the tables equals the one at its JSON pointer in
//! `summary.json` (exact value, and the text shown is that value formatted), and
//! screenshots are written for a reviewer (paths printed).
//!
//! This test installs nothing: `.ci/run` installs chromium when it is missing. Without
//! `chromium` on PATH (or in `BRINK_CHROMIUM`) the test is skipped with a loud message.

use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use brink_report::html::{Fmt, format_value};
use serde_json::Value;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("BRINK_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file())
}

/// Runs chromium headless on `page` with `extra` flags, a fresh profile and a
/// time limit; returns (stdout, stderr).
fn browse(chrome: &Path, page: &Path, extra: &[String], profile: &Path) -> (String, String) {
    let mut cmd = Process::new(chrome);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(format!("file://{}", page.display()))
    .stdin(Stdio::null());
    let out_path = profile.with_extension("out");
    let err_path = profile.with_extension("err");
    cmd.stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    let mut child = cmd.spawn().expect("chromium starts");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (
        std::fs::read_to_string(out_path).unwrap(),
        std::fs::read_to_string(err_path).unwrap(),
    )
}

/// Checks figures and layout from inside the page; writes its verdict into the DOM.
const CHECK_SCRIPT: &str = r#"<script>
(() => {
  const bad = [];
  const figs = document.querySelectorAll('figure');
  figs.forEach((f, i) => {
    const svg = f.querySelector('svg');
    if (!svg) { bad.push('figure ' + i + ' has no svg'); return; }
    const b = svg.getBBox(), r = svg.getBoundingClientRect();
    const marks = svg.querySelectorAll('rect,path,polyline,polygon,circle').length;
    if (!(b.width > 0 && b.height > 0 && r.width > 0 && r.height > 0 && marks > 0))
      bad.push('figure ' + i + ' renders empty: bbox ' + b.width + 'x' + b.height + ', box ' + r.width + 'x' + r.height + ', marks ' + marks);
  });
  const over = document.documentElement.scrollWidth - window.innerWidth;
  if (over > 1) bad.push('page scrolls sideways by ' + over + ' px at width ' + window.innerWidth);
  const pre = document.createElement('pre');
  pre.id = 'brink-check';
  pre.textContent = 'figures=' + figs.length + ' ' + (bad.length ? 'FAIL ' + bad.join(' | ') : 'OK');
  document.body.appendChild(pre);
})();
</script>"#;

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

/// Every table cell with a JSON pointer in the rendered DOM: checks it against
/// `summary`; returns how many were checked.
fn check_numbers(dom: &str, summary: &Value, what: &str) -> usize {
    let mut checked = 0;
    let mut rest = dom;
    while let Some(i) = rest.find("<td") {
        rest = &rest[i..];
        let close = rest.find('>').unwrap();
        let tag = &rest[..close];
        let text_end = close + 1 + rest[close + 1..].find('<').unwrap();
        let text = unescape(&rest[close + 1..text_end]);
        rest = &rest[text_end..];
        let Some(ptr) = attr(tag, "data-ptr") else {
            // Numeric cells without a pointer show a missing value.
            if tag.contains("class=\"n\"") {
                assert_eq!(
                    text, "–",
                    "{what}: numeric cell without data-ptr: {tag}>{text}"
                );
            }
            continue;
        };
        let v = summary
            .pointer(&ptr)
            .unwrap_or_else(|| panic!("{what}: {ptr} is not in summary.json"));
        let shown: f64 = attr(tag, "data-v").unwrap().parse().unwrap();
        assert_eq!(Some(shown), v.as_f64(), "{what}: value at {ptr}");
        let fmt = Fmt::parse(&attr(tag, "data-fmt").unwrap()).unwrap();
        assert_eq!(text, format_value(Some(v), fmt), "{what}: text at {ptr}");
        checked += 1;
    }
    checked
}

/// Loads `dir/report.html` and checks it; returns the screenshot paths.
fn check_report(
    chrome: &Path,
    dir: &Path,
    shots: &Path,
    name: &str,
    min_figures: usize,
) -> Vec<PathBuf> {
    let page = dir.join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    // Statically self-contained: no scripts, links, imports or remote URLs.
    for needle in ["<script", "<link", "@import", "url(", "https://", "src=\""] {
        assert!(!html.contains(needle), "{name}: report contains {needle}");
    }
    assert_eq!(
        html.matches("http://").count(),
        html.matches("http://www.w3.org/2000/svg").count(),
        "{name}: only the SVG namespace may be a URL"
    );
    let profiles = tempfile::tempdir().unwrap();

    // 1. The page itself: console clean, numbers equal summary.json.
    let (dom, log) = browse(
        chrome,
        &page,
        &[
            "--enable-logging=stderr".into(),
            "--v=0".into(),
            "--dump-dom".into(),
        ],
        &profiles.path().join("plain"),
    );
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "{name}: console messages:\n{}",
        console.join("\n")
    );
    assert!(
        dom.contains("</table>"),
        "{name}: no DOM dumped; stderr:\n{log}"
    );
    let checked = check_numbers(&dom, &summary, name);
    assert!(checked >= 20, "{name}: only {checked} numbers checked");

    // 2. A copy with a checking script (and a policy allowing it), desktop and phone.
    let checked_page = profiles.path().join(format!("{name}-check.html"));
    let copy = html
        .replace(
            "default-src 'none';",
            "default-src 'none'; script-src 'unsafe-inline';",
        )
        .replace("</body>", &format!("{CHECK_SCRIPT}</body>"));
    std::fs::write(&checked_page, copy).unwrap();
    for (size, w) in [("desktop", "1200,900"), ("phone", "390,844")] {
        let (dom, log) = browse(
            chrome,
            &checked_page,
            &[format!("--window-size={w}"), "--dump-dom".into()],
            &profiles.path().join(format!("check-{size}")),
        );
        let verdict = dom
            .split("<pre id=\"brink-check\">")
            .nth(1)
            .and_then(|s| s.split("</pre>").next())
            .unwrap_or_else(|| panic!("{name} {size}: check did not run; stderr:\n{log}"));
        let figures: usize = verdict
            .trim_start_matches("figures=")
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(verdict.ends_with(" OK"), "{name} {size}: {verdict}");
        assert!(figures >= min_figures, "{name} {size}: {figures} figures");
    }

    // 3. Screenshots for a reviewer.
    let mut written = Vec::new();
    for (size, w) in [("desktop", "1100,3000"), ("phone", "390,2400")] {
        let png = shots.join(format!("{name}-{size}.png"));
        let _ = std::fs::remove_file(&png);
        browse(
            chrome,
            &page,
            &[
                format!("--window-size={w}"),
                format!("--screenshot={}", png.display()),
            ],
            &profiles.path().join(format!("shot-{size}")),
        );
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{}",
            png.display()
        );
        written.push(png);
    }
    written
}

#[test]
fn reports_render_in_headless_chromium_with_the_numbers_of_summary_json() {
    let Some(chrome) = chromium() else {
        eprintln!(
            "\n\n!!!!! SKIPPED report_html: `chromium` not found on PATH (set BRINK_CHROMIUM \
             or install it: apt-get install -y chromium; .ci/run does). report.html was NOT \
             checked in a browser. !!!!!\n"
        );
        return;
    };
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-html");
    std::fs::create_dir_all(&shots).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    let run_dir = tmp.path().join("run");
    Command::cargo_bin("brink")
        .unwrap()
        .current_dir(root)
        .args([
            "run",
            "scenarios/iran_plan_b.toml",
            "-n",
            "2000",
            "-s",
            "7",
            "-q",
            "-o",
        ])
        .arg(&run_dir)
        .assert()
        .success();
    let sweep_dir = tmp.path().join("sweep");
    Command::cargo_bin("brink")
        .unwrap()
        .current_dir(root)
        .args([
            "sweep",
            "scenarios/fearon_bargaining.toml",
            "--design",
            "sobol",
            "--points",
            "8",
            "-n",
            "100",
            "-q",
            "-o",
        ])
        .arg(&sweep_dir)
        .assert()
        .success();

    // Run: outcome and equilibrium charts and six bounded final-state histograms.
    let mut shots_written = check_report(&chrome, &run_dir, &shots, "run", 8);
    // Sweep: three parameter axes and Sobol' charts per outcome.
    shots_written.extend(check_report(&chrome, &sweep_dir, &shots, "sweep", 4));
    // Straight to stderr, past the test harness's capture, so the paths show in CI logs.
    use std::io::Write as _;
    for p in shots_written {
        let _ = writeln!(std::io::stderr(), "screenshot for review: {}", p.display());
    }
}
