"""Random distortions of training images: affine (shift, rotation, scale), elastic.

Every function takes and returns images as columns, X of shape (784, m),
float32 in [0, 1], and draws its randomness from the `numpy.random.Generator`
it is given. A distortion is a map from each output pixel p to a source
point q(p) in the original image, which is read by bilinear interpolation
(zero outside the image).
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

SIDE = 28
CENTRE = (SIDE - 1) / 2


# --8<-- [start:bilinear_sample]
def bilinear_sample(
    images: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """Read each image at real-valued source points, zero outside the image.

    Equations (5) and (6) of the Beyond 98% page: a weighted sum of the four
    pixels around each point, read from a copy padded with zeros.

    Args:
        images: float32, shape (m, 28, 28).
        rows, cols: the source point of every output pixel, each (m, 28, 28).

    Returns:
        The images read at those points, float32, shape (m, 28, 28).
    """
    m = images.shape[0]
    width = SIDE + 3
    padded = np.zeros((m, width, width), dtype=images.dtype)
    padded[:, 1:SIDE + 1, 1:SIDE + 1] = images  # 1 zero row/col before, 2 after
    r = np.clip(rows + 1, 0, SIDE + 1, dtype=images.dtype)  # off-image: zeros
    c = np.clip(cols + 1, 0, SIDE + 1, dtype=images.dtype)
    r0, c0 = np.floor(r), np.floor(c)  # the corner (r_0, c_0) above and left
    fr, fc = r - r0, c - c0  # distances to it: q_r - r_0 and q_c - c_0
    corner = (r0.astype(np.int32) * width + c0.astype(np.int32)
              + (np.arange(m, dtype=np.int32) * width * width)[:, None, None])
    flat = padded.ravel()
    below = corner + width  # the row under the corner
    top = flat[corner] * (1 - fc) + flat[corner + 1] * fc  # (6), a = 0
    bottom = flat[below] * (1 - fc) + flat[below + 1] * fc  # (6), a = 1
    return top * (1 - fr) + bottom * fr  # (5)
# --8<-- [end:bilinear_sample]


# --8<-- [start:affine_grid]
def affine_grid(
    theta: np.ndarray,
    scale: np.ndarray,
    shift_r: np.ndarray,
    shift_c: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Source points of a rotation, scaling and shift of each image.

    Equation (3) of the Beyond 98% page, about the centre (13.5, 13.5): the
    digit turns by the angle theta (the page's phi; counter-clockwise as
    displayed), grows by scale (rho) and moves by (shift_r, shift_c) pixels
    (tau).

    Args:
        theta: angles in radians, shape (m,).
        scale, shift_r, shift_c: shape (m,).

    Returns:
        rows, cols: source points of every output pixel, float32, each
        (m, 28, 28).
    """
    theta, scale, shift_r, shift_c = (
        np.asarray(a, dtype=np.float32).reshape(-1, 1, 1)
        for a in (theta, scale, shift_r, shift_c)
    )
    u_r, u_c = (np.mgrid[0:SIDE, 0:SIDE] - CENTRE).astype(np.float32)  # u - o
    d_r, d_c = u_r - shift_r, u_c - shift_c  # u - o - tau
    cos, sin = np.cos(theta), np.sin(theta)
    rows = CENTRE + (cos * d_r + sin * d_c) / scale  # (3)
    cols = CENTRE + (-sin * d_r + cos * d_c) / scale  # (3)
    return rows, cols


def random_affine(
    m: int, rng: np.random.Generator, max_degrees: float = 10.0,
    max_shift: float = 2.0, max_scale: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """`affine_grid` with a uniform random angle, scale and shift per image."""
    theta = np.deg2rad(rng.uniform(-max_degrees, max_degrees, m))
    scale = rng.uniform(1 - max_scale, 1 + max_scale, m)
    shift_r, shift_c = rng.uniform(-max_shift, max_shift, (2, m))
    return affine_grid(theta, scale, shift_r, shift_c)
# --8<-- [end:affine_grid]


def gaussian_matrix(width: float, n: int = SIDE) -> np.ndarray:
    """(n, n) matrix G such that G @ f is the signal f smoothed by a Gaussian
    whose standard deviation is `width` pixels."""
    i = np.arange(n)
    squared = (i[:, None] - i[None, :]) ** 2
    return np.exp(-squared / (2 * width**2)) / (np.sqrt(2 * np.pi) * width)


# --8<-- [start:elastic_field]
def elastic_field(
    m: int, rng: np.random.Generator, alpha: float = 34.0, kappa: float = 4.0
) -> tuple[np.ndarray, np.ndarray]:
    """Random smooth displacement fields (Simard, Steinkraus and Platt, 2003).

    Equation (4) of the Beyond 98% page, drawn independently for the row and the
    column displacement of every image; kappa is the Gaussian's width in pixels
    (Simard's sigma) and alpha the field's scale.

    Returns:
        d_rows, d_cols: displacements in pixels, each (m, 28, 28) float32.
    """
    G = gaussian_matrix(kappa).astype(np.float32)  # G_kappa
    U = rng.random((2, m, SIDE, SIDE), dtype=np.float32) * 2 - 1  # in [-1, 1)
    smooth = G @ U @ G.T  # (4)
    return np.float32(alpha) * smooth[0], np.float32(alpha) * smooth[1]  # (4)
# --8<-- [end:elastic_field]


# --8<-- [start:distort]
def distort(
    X: np.ndarray,
    rng: np.random.Generator,
    elastic: bool = True,
    chunk: int = 8192,
    alpha: float = 34.0,
    kappa: float = 4.0,
    **affine: float,
) -> np.ndarray:
    """A random affine map, plus an elastic field if asked, on every column.

    Equations (3) to (6) of the Beyond 98% page, one fresh draw per image.

    Args:
        X: images as columns, float32, shape (784, m).
        rng: the generator that draws every distortion.
        elastic: add `elastic_field` displacements to the affine source points.
        chunk: images processed at once (bounds memory).
        alpha, kappa: the elastic field's scale and smoothing width, in pixels.
        **affine: max_degrees, max_shift, max_scale for `random_affine`.

    Returns:
        The distorted images, (784, m), same dtype, each column contiguous.
    """
    m = X.shape[1]
    out = np.empty(X.shape, dtype=X.dtype, order="F")
    for start in range(0, m, chunk):
        stop = min(start + chunk, m)
        images = X[:, start:stop].T.reshape(-1, SIDE, SIDE)
        rows, cols = random_affine(stop - start, rng, **affine)  # (3)
        if elastic:
            d_rows, d_cols = elastic_field(stop - start, rng, alpha, kappa)  # (4)
            rows, cols = rows + d_rows, cols + d_cols
        distorted = bilinear_sample(images, rows, cols)  # (5), (6)
        out[:, start:stop] = distorted.reshape(stop - start, -1).T
    return out
# --8<-- [end:distort]


def distorted_epochs(
    X: np.ndarray, epochs: int, rng: np.random.Generator, **distortion
):
    """Yield `epochs` freshly distorted copies of X, one per epoch.

    `distortion` holds the keyword arguments of `distort` (elastic, alpha, ...).

    Each copy is prepared in a background thread while the previous one is
    being trained on (NumPy releases the GIL in its loops), so on two cores
    the distortions cost little wall time. `rng` is used by that thread only,
    in order, so the copies depend on nothing but its seed.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(distort, X, rng, **distortion)
        for epoch in range(epochs):
            current = future.result()
            if epoch + 1 < epochs:
                future = pool.submit(distort, X, rng, **distortion)
            yield current
