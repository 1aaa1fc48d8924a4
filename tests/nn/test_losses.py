"""Losses against torch.nn.functional, values and gradients."""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from micrograd_edu import Value, losses


def _grads(values: list[Value]) -> list[float]:
    return [v.grad for v in values]


@pytest.mark.parametrize(("pred", "target"), [(0.3, 1.0), (-2.0, 0.5), (4.0, 4.0)])
def test_mse(torch: ModuleType, pred: float, target: float) -> None:
    p = Value(pred)
    loss = losses.mse(p, target)
    loss.backward()
    tp = torch.tensor(pred, requires_grad=True)
    expected = torch.nn.functional.mse_loss(tp, torch.tensor(target))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-15)
    assert p.grad == pytest.approx(tp.grad.item(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("logit", [-800.0, -30.0, -2.5, 0.0, 1e-3, 2.5, 30.0, 800.0])
@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
def test_binary_cross_entropy_is_stable_and_matches(
    torch: ModuleType, logit: float, target: float
) -> None:
    z = Value(logit)
    loss = losses.binary_cross_entropy(z, target)
    loss.backward()
    tz = torch.tensor(logit, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(tz, torch.tensor(target))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-12)
    assert z.grad == pytest.approx(tz.grad.item(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("logits", [[1.0, 2.0, 0.5], [1000.0, 0.0, -1000.0], [-3.0, -3.0]])
def test_softmax_matches(torch: ModuleType, logits: list[float]) -> None:
    zs = [Value(x) for x in logits]
    probabilities = losses.softmax(zs)
    weights = [0.3, -1.2, 2.0][: len(logits)]
    sum(p * w for p, w in zip(probabilities, weights, strict=True)).backward()  # type: ignore[union-attr]
    tz = torch.tensor(logits, requires_grad=True)
    expected = torch.softmax(tz, dim=0)
    (expected * torch.tensor(weights)).sum().backward()
    assert [p.data for p in probabilities] == pytest.approx(
        expected.tolist(), rel=1e-12, abs=1e-300
    )
    assert sum(p.data for p in probabilities) == pytest.approx(1.0, rel=1e-15)
    assert _grads(zs) == pytest.approx(tz.grad.tolist(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("logits", "target"), [([1.0, 2.0, 0.5], 0), ([1000.0, 0.0, -1000.0], 2), ([0.1, 0.2], 1)]
)
def test_cross_entropy_and_log_softmax_match(
    torch: ModuleType, logits: list[float], target: int
) -> None:
    zs = [Value(x) for x in logits]
    loss = losses.cross_entropy(zs, target)
    loss.backward()
    tz = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(tz[None, :], torch.tensor([target]))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12)
    assert _grads(zs) == pytest.approx(tz.grad.tolist(), rel=1e-9, abs=1e-12)
    log_p = losses.log_softmax([Value(x) for x in logits])
    reference = torch.log_softmax(torch.tensor(logits), dim=0).tolist()
    assert [v.data for v in log_p] == pytest.approx(reference, rel=1e-12)


@pytest.mark.parametrize(("score", "target"), [(0.3, 1.0), (0.3, -1.0), (2.0, 1.0), (-4.0, -1.0)])
def test_hinge(torch: ModuleType, score: float, target: float) -> None:
    s = Value(score)
    loss = losses.hinge(s, target)
    loss.backward()
    ts = torch.tensor(score, requires_grad=True)
    expected = torch.relu(1 - target * ts)
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), abs=1e-15)
    assert s.grad == pytest.approx(ts.grad.item(), abs=1e-15)


def test_l1_l2_and_mean(torch: ModuleType) -> None:
    data = [0.5, -1.5, 2.0, 0.0]
    for penalty, reference in (
        (losses.l1, lambda t: t.abs().sum()),
        (losses.l2, lambda t: (t * t).sum()),
    ):
        params = [Value(x) for x in data]
        out = penalty(params)
        out.backward()
        t = torch.tensor(data, requires_grad=True)
        expected = reference(t)
        expected.backward()
        assert out.data == pytest.approx(expected.item(), rel=1e-15)
        assert _grads(params) == pytest.approx(t.grad.tolist(), rel=1e-15)

    preds = [Value(x) for x in (0.2, -0.4, 1.5)]
    targets = [0.0, 1.0, 1.0]
    batch = losses.mean(losses.mse, preds, targets)
    batch.backward()
    tp = torch.tensor([0.2, -0.4, 1.5], requires_grad=True)
    expected = torch.nn.functional.mse_loss(tp, torch.tensor(targets))
    expected.backward()
    assert batch.data == pytest.approx(expected.item(), rel=1e-12)
    assert _grads(preds) == pytest.approx(tp.grad.tolist(), rel=1e-12)


def test_loss_errors() -> None:
    with pytest.raises(ValueError, match=re.escape("hinge: target must be -1 or +1, got 0.0")):
        losses.hinge(Value(1.0), 0)
    with pytest.raises(
        ValueError, match=re.escape("binary_cross_entropy: target must be in [0, 1]")
    ):
        losses.binary_cross_entropy(Value(1.0), 2)
    with pytest.raises(ValueError, match=re.escape("target class 3 is out of range for 3 logits")):
        losses.cross_entropy([Value(1.0), Value(2.0), Value(3.0)], 3)
    with pytest.raises(TypeError, match=re.escape("logits must be a non-empty list of Values")):
        losses.softmax(Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("mse: prediction must be a Value")):
        losses.mse(1.0, 2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=re.escape("mean: 2 predictions but 1 targets")):
        losses.mean(losses.mse, [Value(1.0), Value(2.0)], [1.0])


def test_cross_entropy_accepts_integral_targets_of_any_type() -> None:
    np = pytest.importorskip("numpy")
    logits = [Value(0.5), Value(-1.0), Value(2.0)]
    reference = losses.cross_entropy(logits, 2).data
    assert losses.cross_entropy(logits, np.int64(2)).data == reference
    assert losses.cross_entropy(logits, 2.0).data == reference
    with pytest.raises(TypeError, match=re.escape("target must be a class index (int), got 1.5")):
        losses.cross_entropy(logits, 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("logits[1] must be a Value, got float")):
        losses.cross_entropy([Value(1.0), 2.0], 0)  # type: ignore[list-item]
