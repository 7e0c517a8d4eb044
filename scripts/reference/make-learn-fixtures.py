#!/usr/bin/env python3
# Reference outputs for src/analysis/learn, produced by scikit-learn: test/fixtures/learn/*.json.
#
# Run by developers, not by CI (CI has no Python): the JSON files are committed and
# test/analysis/learn.test.ts compares our implementations with them. Regenerate only when a
# fixture's definition changes here, and commit the script and the fixtures together.
#
#   python3 -m venv --system-site-packages /tmp/skl
#   /tmp/skl/bin/pip install --no-index --find-links /opt/pypi/files --find-links /opt/pypi-more/files scikit-learn
#   /tmp/skl/bin/python scripts/reference/make-learn-fixtures.py
#
# Made with scikit-learn 1.9.1, numpy 2.4, scipy 1.17. Inputs are rounded before fitting so that the
# JSON holds exactly the values scikit-learn saw. Everything is seeded: a rerun gives the same files.
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.calibration import _sigmoid_calibration
from sklearn.ensemble import HistGradientBoostingClassifier, IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "learn")
os.makedirs(OUT, exist_ok=True)
META = {"sklearn": sklearn.__version__, "numpy": np.__version__, "script": "scripts/reference/make-learn-fixtures.py"}


def nan_to_none(a):
    """JSON has no NaN: missing values are written as null (the test maps null back to NaN)."""
    return [[None if np.isnan(v) else float(v) for v in r] for r in np.asarray(a, dtype=float)]


def write(name, payload):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump({"meta": META, **payload}, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ---------------------------------------------------------------- logistic regression
def logistic_case(name, rng, n, d, l2, weighted, imbalance=0.0):
    x = np.round(rng.normal(size=(n, d)), 4)
    w_true = rng.normal(size=d)
    p = sigmoid(x @ w_true - imbalance)
    y = (rng.random(n) < p).astype(int)
    sw = np.round(rng.uniform(0.2, 3.0, size=n), 3) if weighted else None
    # l1_ratio=0 is the L2 penalty (penalty='l2' is deprecated since 1.8). Objective:
    # C·Σ s_i·logloss_i + 0.5·||w||², i.e. ours divided by C with C = 1/l2.
    m = LogisticRegression(C=1.0 / l2, l1_ratio=0.0, fit_intercept=True, solver="lbfgs", tol=1e-12, max_iter=100000)
    m.fit(x, y, sample_weight=sw)
    return {
        "name": name,
        "l2": l2,
        "x": x.tolist(),
        "y": y.tolist(),
        "sampleWeight": None if sw is None else sw.tolist(),
        "intercept": float(m.intercept_[0]),
        "weights": m.coef_[0].tolist(),
    }


rng = np.random.default_rng(20261202)
write(
    "logistic.json",
    {
        "cases": [
            logistic_case("plain", rng, 300, 5, 1.0, False),
            logistic_case("weighted", rng, 200, 3, 0.5, True),
            logistic_case("imbalanced-strong-penalty", rng, 500, 8, 10.0, False, imbalance=3.0),
        ]
    },
)

# ---------------------------------------------------------------- Platt scaling
def platt_case(name, scores, y):
    a, b = _sigmoid_calibration(np.asarray(scores, dtype=float), np.asarray(y))
    return {"name": name, "scores": [float(s) for s in scores], "y": [int(v) for v in y], "a": float(a), "b": float(b)}


rng = np.random.default_rng(7)
y1 = (rng.random(300) < 0.3).astype(int)
s1 = np.round(rng.normal(size=300) + 1.5 * y1, 4)
y2 = (rng.random(120) < 0.1).astype(int)
s2 = np.round(rng.normal(size=120) * 0.5 + 4.0 * y2, 4)  # nearly separable: the smoothed targets keep a finite
y3 = (rng.random(200) < 0.5).astype(int)
s3 = np.round(rng.uniform(0, 1, size=200) * 0.6 + 0.4 * y3, 4)  # probabilities in [0, 1]
write("platt.json", {"cases": [platt_case("normal", s1, y1), platt_case("nearly-separable", s2, y2), platt_case("unit-interval", s3, y3)]})

# ---------------------------------------------------------------- metrics
rng = np.random.default_rng(11)
cases = []
for name, n, levels, rate in [("continuous", 400, None, 0.3), ("ties-5-levels", 300, 5, 0.4), ("ties-2-levels", 50, 2, 0.5), ("rare", 1000, 50, 0.02)]:
    y = (rng.random(n) < rate).astype(int)
    if y.sum() == 0:
        y[0] = 1
    noise = rng.normal(size=n)
    s = noise + 1.2 * y
    if levels is not None:
        s = np.floor((s - s.min()) / (s.max() - s.min() + 1e-9) * levels)
    else:
        s = np.round(s, 6)
    cases.append({"name": name, "scores": s.tolist(), "y": y.tolist(), "rocAuc": float(roc_auc_score(y, s)), "averagePrecision": float(average_precision_score(y, s))})
cases.append({"name": "tiny", "scores": [0.1, 0.4, 0.35, 0.8], "y": [0, 0, 1, 1], "rocAuc": float(roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])), "averagePrecision": float(average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))})
cases.append({"name": "all-tied", "scores": [1, 1, 1, 1, 1], "y": [0, 1, 0, 1, 1], "rocAuc": float(roc_auc_score([0, 1, 0, 1, 1], [1, 1, 1, 1, 1])), "averagePrecision": float(average_precision_score([0, 1, 0, 1, 1], [1, 1, 1, 1, 1]))})
write("metrics.json", {"cases": cases})

# ---------------------------------------------------------------- gradient boosting
def gbt_case(name, rng, n_train, n_test, d, levels, params, weighted=False, missing=0.0):
    """Integer features with few distinct values: scikit-learn then puts each value in its own bin
    (thresholds at midpoints), so binning is exact on both sides and only the trees can differ."""
    def make(n):
        x = rng.integers(0, levels, size=(n, d)).astype(float)
        z = 0.8 * x[:, 0] - 0.6 * x[:, 1] + 0.5 * (x[:, 2] > levels / 2) * x[:, 3] - 0.3 * x[:, 0] * (x[:, 4] % 2) - 1.5
        y = (rng.random(n) < sigmoid(z)).astype(int)
        if missing > 0:
            x[rng.random(size=(n, d)) < missing] = np.nan
            # Feature 1 missing makes fraud likelier: the NaN bin carries signal to be learned.
            y[np.isnan(x[:, 1]) & (rng.random(n) < 0.5)] = 1
        return x, y

    x, y = make(n_train)
    xt, _ = make(n_test)
    sw = np.round(rng.uniform(0.2, 3.0, size=n_train), 3) if weighted else None
    m = HistGradientBoostingClassifier(
        loss="log_loss",
        learning_rate=params["learningRate"],
        max_iter=params["trees"],
        max_depth=params["maxDepth"],
        max_leaf_nodes=params["maxLeaves"],
        min_samples_leaf=params["minLeafSamples"],
        l2_regularization=params["l2"],
        max_bins=params["bins"],
        early_stopping=False,
        categorical_features=None,
        random_state=0,
    )
    m.fit(x, y, sample_weight=sw)
    return {
        "name": name,
        "params": params,
        "x": nan_to_none(x),
        "y": y.tolist(),
        "sampleWeight": None if sw is None else sw.tolist(),
        "xTest": nan_to_none(xt),
        "base": float(m._baseline_prediction.ravel()[0]),
        "rawTrain": m.decision_function(x).tolist(),
        "probTest": m.predict_proba(xt)[:, 1].tolist(),
        "leaves": [int(p[0].get_n_leaf_nodes()) for p in m._predictors],
    }


rng = np.random.default_rng(99)
# max_leaf_nodes (64) never binds at max_depth 3 (at most 8 leaves): scikit-learn's best-first growth
# then builds the same trees as our depth-wise growth.
p1 = {"trees": 30, "learningRate": 0.1, "maxDepth": 3, "maxLeaves": 64, "minLeafSamples": 5, "l2": 0.5, "bins": 255, "minChildWeight": 1e-3}
p2 = {"trees": 20, "learningRate": 0.2, "maxDepth": 4, "maxLeaves": 64, "minLeafSamples": 10, "l2": 1.0, "bins": 255, "minChildWeight": 1e-3}
gcases = [
    gbt_case("integer-features", rng, 500, 150, 5, 6, p1),
    gbt_case("integer-features-weighted", rng, 400, 150, 5, 5, p2, weighted=True),
    gbt_case("integer-features-missing", rng, 500, 150, 5, 6, p1, missing=0.1),
]

# Continuous features (more distinct values than bins): scikit-learn's quantile thresholds differ
# from ours in detail, so only the ranking quality is compared (ROC-AUC on held-out rows).
rng = np.random.default_rng(5)
def continuous(n):
    x = np.round(rng.normal(size=(n, 6)), 3)
    z = 1.2 * x[:, 0] - x[:, 1] ** 2 + 0.8 * np.sin(2 * x[:, 2]) + 0.7 * x[:, 3] * x[:, 4] - 1.0
    return x, (rng.random(n) < sigmoid(z)).astype(int)
xc, yc = continuous(800)
xct, yct = continuous(400)
pc = {"trees": 60, "learningRate": 0.1, "maxDepth": 3, "maxLeaves": 64, "minLeafSamples": 10, "l2": 1.0, "bins": 32, "minChildWeight": 1e-3}
mc = HistGradientBoostingClassifier(learning_rate=0.1, max_iter=60, max_depth=3, max_leaf_nodes=64, min_samples_leaf=10, l2_regularization=1.0, max_bins=32, early_stopping=False, random_state=0)
mc.fit(xc, yc)
pct = mc.predict_proba(xct)[:, 1]
write(
    "gbt.json",
    {
        "cases": gcases,
        "continuous": {"params": pc, "x": xc.tolist(), "y": yc.tolist(), "xTest": xct.tolist(), "yTest": yct.tolist(), "probTest": pct.tolist(), "rocAucTest": float(roc_auc_score(yct, pct))},
    },
)

# ---------------------------------------------------------------- isolation forest
rng = np.random.default_rng(3)
inliers = rng.normal(size=(480, 4))
inliers[:, 1] = 0.6 * inliers[:, 0] + 0.8 * inliers[:, 1]  # correlated pair: not an axis-aligned blob
outliers = rng.uniform(-6, 6, size=(20, 4))
outliers[np.abs(outliers).max(axis=1) < 3.5, 0] = 5.5  # make sure every planted outlier is far out
xi = np.round(np.vstack([inliers, outliers]), 3)
yi = np.r_[np.zeros(480, dtype=int), np.ones(20, dtype=int)]
forest = IsolationForest(n_estimators=500, max_samples=256, random_state=0).fit(xi)
si = -forest.score_samples(xi)  # score_samples is the opposite of Liu et al.'s s(x) = 2^(-E[h]/c(ψ))
write("isolation-forest.json", {"x": xi.tolist(), "y": yi.tolist(), "score": si.tolist(), "trees": 500, "sampleSize": 256, "rocAuc": float(roc_auc_score(yi, si))})
