"""The live Playground under attack: odd links, odd files, odd names (a review of issue 21).

Each test is one attack a student or a teacher could make, and what the app
must do: refuse with a clear, short message, keep its state, never reflect
markup unescaped.
"""

from __future__ import annotations

import datetime
import os
import re
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from micrograd_edu import io
from micrograd_edu.visualize.live import live_playground, served_playground
from micrograd_edu.visualize.live.task import Goal, parse_goal, parse_query, query_string
from micrograd_edu.visualize.live.userdata import MAX_BYTES, MAX_POINTS, parse_csv, read_csv


def _upload(app: Any, name: str, content: bytes) -> None:
    app.upload.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "last_modified": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
            "content": memoryview(content),
        },
    )


# ---------------------------------------------------------------- links


def test_a_link_keeps_every_number_exactly_and_encodes_the_goals_comparison() -> None:
    app = served_playground("lr=0.0123456789&noise=0.123456789&goal=test_loss<0.123456789&n=100")
    assert app.session.settings.lr == 0.0123456789
    link = app.share_link()
    assert "lr=0.0123456789&" in link and "noise=0.123456789&" in link
    assert link.endswith("&goal=test_loss%3C0.123456789") and "<" not in link
    again = parse_query(link.split("?", 1)[1])
    assert again.settings["lr"] == 0.0123456789 and again.settings["noise"] == 0.123456789
    assert again.goal == Goal("test_loss", "<", 0.123456789)
    assert app.controls.lr.value == "0.0123456789"  # not 0.0123457, which blur would apply
    assert "test loss &lt; 0.123456789" in app.goal_label.value


@pytest.mark.parametrize("target", ["1e999", "-1e400"])
def test_a_goal_must_be_a_finite_number(target: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"goal: {target!r} is not a finite number")):
        parse_goal(f"test_loss<{target}")
    app = served_playground(f"goal=test_loss<{target}&n=100")
    assert f"goal: &#x27;{target}&#x27; is not a finite number" in app.message.value
    assert app.goal is None


@pytest.mark.parametrize(
    "query",
    [
        "dataset=<script>alert(1)</script>",
        "hide=<img src=x onerror=alert(1)>",
        "<b>key</b>=1",
        "goal=test_loss<0.1<script>",
        'activation="><svg onload=alert(1)>',
    ],
)
def test_markup_in_a_link_is_shown_as_text(query: str) -> None:
    app = served_playground(query + "&n=100")
    assert app.message.value.startswith('<span style="color: #b91c1c">The link&#x27;s settings')
    shown = app.message.value[len('<span style="color: #b91c1c">') : -len("</span>")]
    assert "<" not in shown and ">" not in shown and "&lt;" in shown
    assert app.session.settings.dataset == "circle"  # the default app


def test_a_huge_link_gives_a_short_message() -> None:
    app = served_playground("dataset=" + "A" * 100_000 + "&n=100")
    assert "The link&#x27;s settings were not used: unknown data set" in app.message.value
    assert len(app.message.value) < 500
    with pytest.raises(ValueError, match="seed must be a number") as error:
        parse_query("seed=" + "9" * 5000)
    assert (
        str(error.value).startswith("seed must be a number, got '999")
        and len(str(error.value)) < 100
    )
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['xxx") as error:
        parse_query("x" * 10_000 + "=1")
    assert len(str(error.value)) < 300


def test_repeated_keys_the_last_setting_wins_and_hides_add_up() -> None:
    task = parse_query("dataset=xor&dataset=spiral&hide=lr&features_hide=true&hide=lr&goal=")
    assert task.settings == {"dataset": "spiral"} and task.hide == ("lr", "features")
    assert task.goal is None
    assert parse_query("features_hide=false").hide == ()
    assert query_string({"lr": 1e-05}) == "lr=1e-05"


# ---------------------------------------------------------------- the learning-rate box


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "learning rate: 'abc' is not a number; kept 0.03"),
        ("", "learning rate: '' is not a number; kept 0.03"),
        ("1,5", "learning rate: '1,5' is not a number; kept 0.03"),
        ("0", "lr must be between 0.00001 and 10 (the Playground's range), got 0.0; kept 0.03"),
        ("-1", "got -1.0; kept 0.03"),
        ("1e9", "got 1000000000.0; kept 0.03"),
        ("nan", "got nan; kept 0.03"),
        ("inf", "got inf; kept 0.03"),
    ],
)
def test_a_bad_learning_rate_is_refused_and_the_box_shows_the_rate_kept(
    typed: str, message: str
) -> None:
    app = live_playground(n=100)
    app.step_button.click()
    weights = app.session.model.state_dict()
    app.controls.lr.value = typed
    assert message.replace("'", "&#x27;") in app.message.value
    assert app.controls.lr.value == "0.03" and app.session.settings.lr == 0.03
    assert app.session.epoch == 1 and app.session.model.state_dict() == weights
    assert "lr=0.03&" in app.url.query
    app.controls.lr.value = " 0.3 "  # the next good rate applies to the running network
    assert app.session.optimizer.lr == 0.3 and app.session.epoch == 1
    assert app.message.value == ""


# ---------------------------------------------------------------- a goal on one's own data


def test_a_goal_does_not_count_on_points_of_ones_own() -> None:
    app = served_playground("goal=train_loss<100&n=100")  # met by any network, on any data
    app.clear_button.click()
    app.session.add_point(2.0, 2.0, 1.0)
    app.session.add_point(-2.0, -2.0, 0.0)
    app.step_button.click()
    assert app.session.measure("train_loss") < 100
    assert "reached" not in app.goal_label.value
    assert "counts on the task's data only" in app.goal_label.value
    app.controls.regenerate.click()  # the task's kind of data again: the goal counts again
    assert app.on_task_data() and "counts on" not in app.goal_label.value
    assert "✔ Challenge reached at epoch 1" in app.goal_label.value  # checked on redraw


def test_a_goal_does_not_count_on_an_uploaded_file() -> None:
    app = served_playground("goal=test_loss<100&n=100")
    rows = "".join(f"{x},{x},{int(x > 0)}\n" for x in (-3, -2, -1, 1, 2, 3, -4, 4))
    _upload(app, "easy.csv", rows.encode())
    app.step_button.click()
    assert app.session.measure("test_loss") < 100
    assert "reached" not in app.goal_label.value and not app.on_task_data()
    app.controls.dataset.value = "xor"  # a data set again
    assert app.on_task_data()
    X = np.array([[1.0, 1.0], [-1.0, -1.0], [2.0, 2.0], [-2.0, -2.0]] * 3)
    given = live_playground(data=(X, [1, 0, 1, 0] * 3), goal="epoch>=1")
    given.step_button.click()  # the teacher's data is the task's
    assert "✔ Challenge reached at epoch 1" in given.goal_label.value


# ---------------------------------------------------------------- Save model


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../escape.json", "Save to: '../escape.json' is outside the folder"),
        ("sub/../../escape.json", "Save to: 'sub/../../escape.json' is outside the folder"),
        ("/tmp/abs.json", "Save to: '/tmp/abs.json' is outside the folder"),
        ("~/home.json", "Save to: '~/home.json' is outside the folder"),
        ("notebook.ipynb", "Save to: a file name ending in .json, got 'notebook.ipynb'"),
        ("", "Save to: a file name ending in .json, got ''"),
        ("models/.json", "Save to: a file name ending in .json, got 'models/.json'"),
    ],
)
def test_save_model_stays_in_the_start_folder(tmp_path: Path, name: str, message: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "notebook.ipynb").write_text("{}")
    app = live_playground(n=100, folder=work)
    app.save_path.value = name
    app.save_button.click()
    assert message.replace("'", "&#x27;") in app.message.value
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["notebook.ipynb", "work"]
    assert (work / "notebook.ipynb").read_text() == "{}"


def test_save_model_through_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    (work / "link").symlink_to(outside)
    app = live_playground(n=100, folder=work)
    app.save_path.value = "link/model.json"
    app.save_button.click()
    assert "is outside the folder" in app.message.value and not list(outside.iterdir())
    app.save_path.value = "  run 1.json "
    app.save_button.click()  # spaces around the name are dropped; inside the name they stay
    assert io.load(work / "run 1.json").state_dict() == app.session.model.state_dict()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_save_model_into_a_read_only_folder_says_so(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    work.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        app = live_playground(n=100, folder=work)
        app.save_button.click()
        target = work.resolve() / "playground_model.json"
        assert f"could not save to {target}: Permission denied" in app.message.value
    finally:
        work.chmod(stat.S_IRWXU)


# ---------------------------------------------------------------- your own file


def _rows(n: int) -> str:
    return "".join(f"{x:.3f},{-x:.3f},{int(x > 0)}\n" for x in np.linspace(-4, 4, n))


def test_csv_files_as_spreadsheets_write_them() -> None:
    text = "x1,x2,label\n" + _rows(8)
    expected = parse_csv(text)
    for content in (
        text.encode("utf-8-sig"),  # Excel's "CSV UTF-8": a byte-order mark
        text.encode("utf-16"),  # "Unicode text"
        text.replace("label", "étiquette").encode("cp1252"),  # Excel's "CSV" on Windows
        text.replace(",", ";").replace(".", ",").encode(),  # ";" and decimal commas
        text.replace("\n", "\r\n").encode(),
        b'"x1","x2","label"\n' + _rows(8).encode(),  # quoted fields
    ):
        data = read_csv(content)
        np.testing.assert_array_equal(data.X, expected.X)
        np.testing.assert_array_equal(data.y, expected.y)
    with pytest.raises(ValueError, match=re.escape("CSV: the file is not text (a broken UTF-16")):
        read_csv(b"\xff\xfe1\x00,")


def test_a_huge_csv_is_refused_before_it_is_read() -> None:
    with pytest.raises(ValueError, match=re.escape("CSV: the file has 10,200,000 bytes, more")):
        read_csv(b"1,2,1\n" * 1_700_000)
    many = ("1,2,1\n-1,-2,0\n" * 100_000).encode()  # 1.4 MB... cut below the byte limit:
    many = many[: MAX_BYTES - MAX_BYTES % 14]
    with pytest.raises(ValueError, match=re.escape(f"CSV: more than {MAX_POINTS:,} rows")):
        read_csv(many)
    app = live_playground(n=100)
    _upload(app, "big.csv", b"1,2,1\n" * 1_700_000)
    assert "big.csv" not in app.message.value and "10,200,000 bytes" in app.message.value
    assert app.session.data_name == "circle"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "1,2,0\n-1,-2,1\n2,1,2\n-2,-1,0\n",
            "data: labels [0, 1, 2]: a classification takes two classes (0/1 or -1/+1), "
            "a regression values in [-1, 1]",
        ),
        (
            "1,2,1000\n-1,-2,-5000\n2,1,3.5\n-2,-1,0.5\n",
            "data: the values (a regression: labels other than 0/1 or -1/+1) go up to 5000 in "
            "size, outside the Playground's [-1, 1]: divide them by 5000 (or more) first",
        ),
        ("1,2,red\n-1,-2,blue\n2,1,red\n-2,-1,blue\n", "CSV row 1: 1, 2, red are not all numbers"),
        ("1,2,inf\n-1,-2,0\n2,1,1\n-2,-1,0\n", "data: every x1, x2 and label must be a finite"),
        ("", "CSV: no rows of x1, x2, label found"),
    ],
)
def test_labels_and_values_the_playground_cannot_show_are_refused(rows: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        read_csv(rows.encode())


def test_duplicate_points_and_both_label_conventions_are_kept() -> None:
    same = read_csv(b"1,2,1\n1,2,0\n1,2,1\n1,2,0\n")
    assert same.problem == "classification" and same.y.tolist() == [1, 0, 1, 0]
    signs = read_csv(b"1,2,1\n-1,-2,-1\n2,1,1\n-2,-1,-1\n")
    assert signs.y.tolist() == [1, 0, 1, 0]
    values = read_csv(b"1,2,0.5\n-1,-2,-1\n2,1,1\n-2,-1,0.25\n")
    assert values.problem == "regression" and values.y.tolist() == [0.5, -1, 1, 0.25]


def test_save_model_where_a_file_or_a_folder_is_in_the_way_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "taken.json").mkdir()
    app = live_playground(n=100, folder=tmp_path)
    app.save_path.value = "notes.txt/model.json"
    app.save_button.click()
    assert f"could not save to {tmp_path.resolve() / 'notes.txt' / 'model.json'}: " in (
        app.message.value
    )
    app.save_path.value = "taken.json"
    app.save_button.click()
    assert f"could not save to {tmp_path.resolve() / 'taken.json'}: " in app.message.value
    assert (tmp_path / "notes.txt").read_text() == "mine" and (tmp_path / "taken.json").is_dir()


# ---------------------------------------------------------------- concurrent calls


@pytest.mark.slow
def test_the_plane_is_drawn_from_one_state_while_points_and_data_change() -> None:
    """Play redraws in its thread while clicks add points: a drawing must never see the new
    points with the old labels (it stopped Play with "zip() argument 2 is shorter"), nor the
    inspector look a point's label up in an array emptied meanwhile."""
    import contextlib
    import sys
    import threading
    import time

    from micrograd_edu.visualize.live.drawing import plane_svg
    from micrograd_edu.visualize.live.inspector import Inspector
    from micrograd_edu.visualize.live.session import PlaygroundSession

    session = PlaygroundSession(n=20)
    stop = threading.Event()
    errors: list[str] = []

    def add_points() -> None:
        while not stop.is_set():
            session.add_point(1.0, 1.0, 1.0)
            if len(session.X_train) > 300:
                session.clear_points()

    def change_data() -> None:
        names = ["blobs", "plane", "circle"]
        for k in range(10**9):
            if stop.is_set():
                return
            session.update(dataset=names[k % 3])

    inspector = Inspector(session, lambda f: f, contextlib.nullcontext, lambda: None)

    def draw() -> None:
        while not stop.is_set():
            try:
                plane_svg(session, resolution=8)
                inspector._label_at((1.0, 1.0))  # the point added: its own label
            except Exception as error:  # any error is the failure reported below
                errors.append(repr(error))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    threads = [threading.Thread(target=f) for f in (add_points, change_data, draw, draw)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(4)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        sys.setswitchinterval(interval)
    assert errors == []


# ---------------------------------------------------------------- a teacher's odd task


def test_a_hidden_data_set_hides_the_problem_type_that_would_change_it() -> None:
    app = served_playground("dataset=spiral&hide=dataset&n=100")
    assert app.controls.dataset.layout.display == "none"
    assert app.controls.problem.layout.display == "none"
    only_problem = served_playground("hide=problem&n=100")
    assert only_problem.controls.dataset.layout.display != "none"


def test_an_accuracy_goal_on_a_regression_says_it_cannot_be_reached() -> None:
    app = served_playground("dataset=plane&goal=test_accuracy>0.9&n=100")
    app.step_button.click()
    assert "an accuracy has no meaning for a regression" in app.goal_label.value
    loss_goal = served_playground("dataset=plane&goal=test_loss<100&n=100")
    loss_goal.step_button.click()
    assert "✔ Challenge reached at epoch 1" in loss_goal.goal_label.value


def test_play_with_a_tiny_cpu_share_keeps_playing_and_pauses_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rest of 1e10 s per epoch is capped at MAX_REST, and Pause cuts it short: the rest's
    wait ends because Pause woke it (``wait`` returned True), not because it ran out."""
    import threading

    from micrograd_edu.visualize.live.app import MAX_REST

    app = live_playground(n=100, cpu_share=1e-12)
    rests: list[float | None] = []
    woken: list[bool] = []
    resting = threading.Event()
    real_wait = app._wake.wait

    def wait(timeout: float | None = None) -> bool:
        rests.append(timeout)
        resting.set()
        woke = real_wait(timeout)
        woken.append(woke)
        return woke

    monkeypatch.setattr(app._wake, "wait", wait)
    app.play()
    try:
        assert resting.wait(120), "Play never rested after its first epoch"
        assert app._playing.is_set() and app.message.value == "" and app.session.epoch >= 1
    finally:
        app.pause()
    assert not app._playing.is_set() and app._thread is None
    assert rests and all(rest == MAX_REST for rest in rests)  # capped, not 1e10 s
    assert woken[-1] is True, "the last rest ran out instead of ending on Pause"


def test_the_same_file_uploaded_again_is_read_again() -> None:
    app = live_playground(n=100)
    rows = b"1,2,1\n-1,-2,0\n2,1,1\n-2,-1,0\n"
    _upload(app, "mine.csv", rows)
    assert app.session.data_name == "your data" and app.upload.value == ()
    app.controls.dataset.value = "xor"
    _upload(app, "mine.csv", rows)  # the same file again, after a data set
    assert app.session.data_name == "your data"
    assert "mine.csv: 4 points (classification) loaded" in app.message.value
    _upload(app, "mine.csv", b"1,2\n")
    _upload(app, "mine.csv", b"1,2\n")  # a bad file twice: the error each time
    assert "CSV row 1: expected 3 columns" in app.message.value


def test_share_says_when_the_link_cannot_hold_ones_own_points() -> None:
    app = live_playground(n=100)
    app.share_button.click()
    assert app.export_text.value == app.share_link() and app.message.value == ""
    app.session.add_point(1.0, 1.0, 1.0)
    app.share_button.click()
    assert "The link holds the settings, not your own points: it opens the data set " in (
        app.message.value
    )
    assert "&#x27;circle&#x27;" in app.message.value


# ---------------------------------------------------------------- the Python function


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu", "linear"])
@pytest.mark.parametrize(
    ("dataset", "loss", "meaning"),
    [
        ("circle", "hinge", "Returns a score: class 1 if it is > 0, class 0 otherwise."),
        ("plane", "mse", "Returns the predicted value."),
        ("multi_gauss", "mse", "Returns the predicted value."),
        ("circle", "bce", "Returns a logit z: P(class 1) = 1 / (1 + math.exp(-z))"),
        ("blobs", "cross_entropy", "Returns one logit per class"),
    ],
)
def test_the_python_function_of_every_loss_and_activation(
    dataset: str, loss: str, meaning: str, activation: str
) -> None:
    from micrograd_edu.visualize.live.session import PlaygroundSession

    for features in (("sin(x1)",), ("x1*x2", "x2^2"), ("x1", "x2", "sin(x2)", "x1^2")):
        session = PlaygroundSession(
            dataset=dataset, loss=loss, activation=activation, features=features,
            hidden=(3, 2), n=60,
        )  # fmt: skip
        for _ in range(2):
            session.train_epoch()
        source = session.python_code()
        assert meaning in source
        namespace: dict[str, Any] = {}
        exec(source, namespace)
        points = np.random.default_rng(3).uniform(-6, 6, (25, 2))
        expected = session.model.forward_array(session.inputs(points))
        got = np.array([namespace["predict"](x1, x2) for x1, x2 in points])
        np.testing.assert_allclose(got.reshape(expected.shape), expected, rtol=1e-12, atol=1e-12)
