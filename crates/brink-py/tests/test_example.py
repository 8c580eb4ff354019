"""The example script runs (without matplotlib it prints the table and says so)."""

import os
import subprocess
import sys


def test_sweep_plot_example_runs(repo, tmp_path):
    script = repo / "examples" / "python" / "sweep_plot.py"
    env = dict(os.environ, MPLBACKEND="Agg")
    out = tmp_path / "plot.png"
    done = subprocess.run(
        [sys.executable, str(script), "--points", "3", "--runs", "200", "--out", str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["lambda", "both_stag", "both_hare", "miscoordination"]
    rows = [l.split() for l in lines[1:4]]
    assert [float(r[0]) for r in rows] == sorted(float(r[0]) for r in rows)
    for r in rows:
        assert abs(sum(float(x) for x in r[1:]) - 1) < 0.002  # frequencies of all outcomes
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in done.stdout
    else:
        assert out.stat().st_size > 0


def test_readme_python_example_runs(repo):
    readme = (repo / "README.md").read_text()
    start = readme.index("```python\nimport brink")
    code = readme[start + len("```python\n") : readme.index("```", start + 10)]
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    # The last line: the three equilibria of the battle of the sexes, as Fractions.
    assert "Fraction(2, 3), Fraction(1, 3)" in done.stdout.splitlines()[-1]
