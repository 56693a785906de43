"""Random distortions of training images: affine (shift, rotation, scale) and elastic.

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
def bilinear_sample(images, rows, cols):
    r"""Read each image at real-valued source coordinates, zero outside the image.

    $$I(q) = \sum_{a, b \in \{0, 1\}} (1 - |q_r - r_a|)(1 - |q_c - c_b|)\, I[r_a, c_b]$$

    over the four pixels $(r_a, c_b)$ around $q = (q_r, q_c)$.

    Args:
        images: (m, 28, 28) float32.
        rows, cols: source coordinates, each (m, 28, 28).

    Returns:
        (m, 28, 28) float32.
    """
    m = images.shape[0]
    width = SIDE + 3
    padded = np.zeros((m, width, width), dtype=images.dtype)
    padded[:, 1:SIDE + 1, 1:SIDE + 1] = images  # zeros: one row/column before, two after
    r = np.clip(rows + 1, 0, SIDE + 1, dtype=images.dtype)  # off-image points read only zeros
    c = np.clip(cols + 1, 0, SIDE + 1, dtype=images.dtype)
    r0, c0 = np.floor(r), np.floor(c)
    fr, fc = r - r0, c - c0
    corner = (r0.astype(np.int32) * width + c0.astype(np.int32)
              + (np.arange(m, dtype=np.int32) * width * width)[:, None, None])
    flat = padded.ravel()
    top = flat[corner] * (1 - fc) + flat[corner + 1] * fc
    bottom = flat[corner + width] * (1 - fc) + flat[corner + width + 1] * fc
    return top * (1 - fr) + bottom * fr
# --8<-- [end:bilinear_sample]


# --8<-- [start:affine_grid]
def affine_grid(theta, scale, shift_r, shift_c):
    r"""Source coordinates of a rotation, scaling and shift of each image.

    $$q = c + \frac{1}{s} R(-\theta)\,(p - c - t)$$

    with $c$ the image centre (13.5, 13.5): the output at pixel $p$ is the
    input at $q$, so the digit itself turns by $\theta$ (counter-clockwise
    as displayed), grows by $s$ and moves by $t = (t_r, t_c)$ pixels.

    Args:
        theta: angles in radians, shape (m,).
        scale, shift_r, shift_c: shape (m,).

    Returns:
        rows, cols: source coordinates, each (m, 28, 28) float32.
    """
    theta, scale, shift_r, shift_c = (np.asarray(a, dtype=np.float32).reshape(-1, 1, 1)
                                      for a in (theta, scale, shift_r, shift_c))
    p_r, p_c = (np.mgrid[0:SIDE, 0:SIDE] - CENTRE).astype(np.float32)
    d_r, d_c = p_r - shift_r, p_c - shift_c
    cos, sin = np.cos(theta), np.sin(theta)
    rows = CENTRE + (cos * d_r + sin * d_c) / scale
    cols = CENTRE + (-sin * d_r + cos * d_c) / scale
    return rows, cols


def random_affine(m, rng, max_degrees=10.0, max_shift=2.0, max_scale=0.1):
    """`affine_grid` with uniform random angle, scale and shift for each of m images."""
    theta = np.deg2rad(rng.uniform(-max_degrees, max_degrees, m))
    scale = rng.uniform(1 - max_scale, 1 + max_scale, m)
    shift_r, shift_c = rng.uniform(-max_shift, max_shift, (2, m))
    return affine_grid(theta, scale, shift_r, shift_c)
# --8<-- [end:affine_grid]


def gaussian_matrix(sigma, n=SIDE):
    """(n, n) matrix G whose product G @ f smooths a length-n signal f with a Gaussian, zero outside."""
    i = np.arange(n)
    return np.exp(-((i[:, None] - i[None, :]) ** 2) / (2 * sigma**2)) / (np.sqrt(2 * np.pi) * sigma)


# --8<-- [start:elastic_field]
def elastic_field(m, rng, alpha=34.0, sigma=4.0):
    r"""Random smooth displacement fields (Simard, Steinkraus and Platt, 2003).

    $$\Delta = \alpha\; G_\sigma * U, \qquad U_{ij} \sim U(-1, 1)$$

    independently for the row and column displacement of every pixel; the
    Gaussian convolution is separable, so it is two small matrix products,
    $G U G^{\top}$, per field.

    Returns:
        d_rows, d_cols: displacements in pixels, each (m, 28, 28).
    """
    G = gaussian_matrix(sigma).astype(np.float32)
    U = rng.random((2, m, SIDE, SIDE), dtype=np.float32) * 2 - 1
    smooth = G @ U @ G.T
    return np.float32(alpha) * smooth[0], np.float32(alpha) * smooth[1]
# --8<-- [end:elastic_field]


# --8<-- [start:distort]
def distort(X, rng, elastic=True, chunk=8192, **affine):
    """A random affine map, plus an elastic field if asked, applied to every column of X.

    Args:
        X: images as columns, (784, m) float32.
        rng: the run's Generator.
        elastic: add `elastic_field` displacements to the affine source points.
        chunk: images processed at once (bounds memory).
        **affine: `max_degrees`, `max_shift`, `max_scale` for `random_affine`.

    Returns:
        Distorted images, (784, m), same dtype, each image contiguous (Fortran
        order) like the copy `train` gathers its mini-batches from.
    """
    m = X.shape[1]
    out = np.empty(X.shape, dtype=X.dtype, order="F")
    for start in range(0, m, chunk):
        stop = min(start + chunk, m)
        images = X[:, start:stop].T.reshape(-1, SIDE, SIDE)
        rows, cols = random_affine(stop - start, rng, **affine)
        if elastic:
            d_rows, d_cols = elastic_field(stop - start, rng)
            rows, cols = rows + d_rows, cols + d_cols
        out[:, start:stop] = bilinear_sample(images, rows, cols).reshape(stop - start, -1).T
    return out
# --8<-- [end:distort]


def distorted_epochs(X, epochs, rng, elastic=True):
    """Yield `epochs` freshly distorted copies of X, one per epoch.

    Each copy is prepared in a background thread while the previous one is
    being trained on (NumPy releases the GIL in its loops), so on two cores
    the distortions cost little wall time. `rng` is used by that thread only,
    in order, so the copies depend on nothing but its seed.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(distort, X, rng, elastic)
        for epoch in range(epochs):
            current = future.result()
            if epoch + 1 < epochs:
                future = pool.submit(distort, X, rng, elastic)
            yield current
