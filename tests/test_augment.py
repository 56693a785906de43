import numpy as np
import pytest

from nnscratch import load_sample
from nnscratch.augment import (
    affine_grid,
    bilinear_sample,
    distort,
    elastic_field,
    random_affine,
)


@pytest.fixture(scope="module")
def digits():
    return load_sample().X_train[:, :64]


def as_images(X):
    return X.T.reshape(-1, 28, 28)


def test_identity_map_returns_the_images_exactly(digits):
    """No rotation, scale 1 and no shift give back every image bit for bit."""
    rows, cols = affine_grid(np.zeros(64), np.ones(64), np.zeros(64), np.zeros(64))
    assert np.array_equal(
        bilinear_sample(as_images(digits), rows, cols), as_images(digits)
    )


def test_rotation_by_90_degrees_is_numpy_rot90(digits):
    """A 90-degree turn of the affine map equals numpy's rot90 of the image."""
    rows, cols = affine_grid(
        np.full(64, np.pi / 2), np.ones(64), np.zeros(64), np.zeros(64)
    )
    rotated = bilinear_sample(as_images(digits), rows, cols)
    assert np.allclose(rotated, np.rot90(as_images(digits), axes=(1, 2)), atol=1e-5)


def test_integer_shift_moves_every_pixel_and_fills_with_zeros(digits):
    """A whole-pixel shift moves each pixel exactly and fills the edge with zeros."""
    rows, cols = affine_grid(
        np.zeros(64), np.ones(64), np.full(64, 2.0), np.full(64, -3.0)
    )
    shifted = bilinear_sample(as_images(digits), rows, cols)
    expected = np.zeros_like(shifted)
    expected[:, 2:, :-3] = as_images(digits)[:, :-2, 3:]
    assert np.allclose(shifted, expected, atol=1e-6)


def test_half_pixel_shift_interpolates_linearly():
    """Half a pixel off, bilinear reading gives the mean of the two neighbours."""
    img = np.zeros((1, 28, 28), np.float32)
    img[0, 10, 10] = 1
    rows, cols = affine_grid([0], [1], [0], [0.5])
    out = bilinear_sample(img, rows, cols)[0]
    assert out[10, 10] == pytest.approx(0.5) and out[10, 11] == pytest.approx(0.5)
    assert out.sum() == pytest.approx(1)


def test_scale_grows_the_digit_about_the_centre(digits):
    """Scale 1.2 grows the ink by about 1.2 squared, about the image centre."""
    rows, cols = affine_grid(np.zeros(64), np.full(64, 1.2), np.zeros(64), np.zeros(64))
    grown = bilinear_sample(as_images(digits), rows, cols)
    ratio = grown.reshape(64, -1).sum(1) / as_images(digits).reshape(64, -1).sum(1)
    assert np.all(ratio > 1.2) and np.all(ratio < 1.6)  # ink area grows by about s^2


def test_distortions_are_seeded_bounded_and_keep_shape(digits):
    """Distortions keep shape and [0, 1], repeat with a seed and change with it."""
    a = distort(digits, np.random.default_rng(1))
    b = distort(digits, np.random.default_rng(1))
    c = distort(digits, np.random.default_rng(2))
    assert a.shape == digits.shape and a.dtype == np.float32
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.min() >= 0 and a.max() <= 1
    assert not np.allclose(a, digits)
    # a mild distortion keeps most of each digit's ink
    ink = a.sum(axis=0) / digits.sum(axis=0)
    assert np.all(ink > 0.5) and np.all(ink < 2.0)


def test_elastic_field_is_smooth_and_of_the_expected_size():
    """The elastic field is smooth (neighbours correlated) and of the set size."""
    d_r, d_c = elastic_field(200, np.random.default_rng(0), alpha=34, kappa=4)
    assert d_r.shape == (200, 28, 28)
    # neighbouring displacements are strongly correlated (smooth), unlike the raw noise
    corr = np.corrcoef(d_r[:, :, :-1].ravel(), d_r[:, :, 1:].ravel())[0, 1]
    assert corr > 0.9
    assert (
        0.5 < d_c[:, 8:20, 8:20].std() < 5
    )  # pixels, as in Simard et al. with alpha 34, sigma 4


def test_random_affine_respects_its_bounds():
    """Random shifts never exceed max_shift when nothing else moves."""
    rows, cols = random_affine(
        500, np.random.default_rng(0), max_degrees=0, max_shift=2, max_scale=0
    )
    # with no rotation or scaling, the source of pixel (0, 0) is (0, 0) minus the shift
    assert np.all(np.abs(rows[:, 0, 0]) <= 2 + 1e-5) and np.all(
        np.abs(cols[:, 0, 0]) <= 2 + 1e-5
    )
    assert (
        np.abs(rows[:, 0, 0]).max() > 1.5
    )  # and the shifts really spread over the range
