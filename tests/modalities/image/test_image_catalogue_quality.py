"""Behaviour of the quality, blur and occlusion transforms."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from augment_cli.modalities.image.transforms.quality_ops import gaussian_field, motion_kernel
from catalogue_helpers import apply, kinds, run, smooth_rgb

RGB = smooth_rgb()
KINDS = kinds()
GREY = np.full((40, 40, 3), 128, np.uint8)
CHECKER = (np.indices((48, 64)).sum(axis=0) % 2 * 255).astype(np.uint8)


def test_downscale_loses_fine_detail_but_keeps_blocks():
    blocks = np.kron(RGB[::4, ::4], np.ones((4, 4, 1), np.uint8))
    kept = run("downscale", blocks, {"scale": 0.25, "interpolation": "nearest"})
    np.testing.assert_array_equal(kept, blocks)
    lost = run("downscale", CHECKER, {"scale": 0.5, "interpolation": "area"})
    assert lost.shape == CHECKER.shape and lost.std() < CHECKER.std() / 4


def test_jpeg_quality_orders_the_error():
    def error(q):
        return np.abs(run("jpeg", RGB, {"quality": q}).astype(int) - RGB).mean()
    assert error(100) < error(60) < error(10) and error(95) < error(30)
    np.testing.assert_array_equal(run("jpeg", RGB, {"quality": 40}), run("jpeg", RGB, {"quality": 40}))
    rgba = run("jpeg", KINDS["rgba8"], {"quality": 50})
    np.testing.assert_array_equal(rgba[..., 3], KINDS["rgba8"][..., 3])


def test_jpeg_is_the_bgr_round_trip_byte_for_byte():
    # The decoder writes RGB directly: exactly the BGR decode swapped back.
    blob = cv2.imencode(".jpg", cv2.cvtColor(RGB, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 70])[1]
    expected = cv2.cvtColor(cv2.imdecode(blob, cv2.IMREAD_UNCHANGED), cv2.COLOR_BGR2RGB)
    np.testing.assert_array_equal(run("jpeg", RGB, {"quality": 70}), expected)


def test_gaussian_noise_has_the_drawn_std():
    params = {"std": 0.05, "per_channel": True, "noise_seed": 3}
    diff = run("gaussian_noise", GREY, params).astype(float) - GREY
    assert abs(diff.std() - 0.05 * 255) < 0.6 and abs(diff.mean()) < 0.3
    assert not np.array_equal(diff[..., 0], diff[..., 1])
    same = run("gaussian_noise", GREY, {**params, "per_channel": False}).astype(int)
    np.testing.assert_array_equal(same[..., 0], same[..., 2])
    wide = KINDS["l16"] // 2 + 16000
    diff16 = run("gaussian_noise", wide, params).astype(float) - wide
    assert abs(diff16.std() - 0.05 * 65535) < 150


def test_gaussian_noise_is_normal_and_depends_only_on_its_seed():
    # OpenCV's generator draws it: the distribution must still be N(0, std^2)
    # (moments and tails of 10^6 draws), and the same seed must give the same
    # noise whatever else ran before on this thread or how many threads OpenCV has.
    draws = gaussian_field(11, 1_000_000, 2.0).ravel().astype(np.float64)
    assert abs(draws.mean()) < 0.01 and abs(draws.std() - 2.0) < 0.01
    skew = np.mean(draws**3) / 8
    kurtosis = np.mean(draws**4) / 16 - 3
    assert abs(skew) < 0.02 and abs(kurtosis) < 0.03
    assert abs((np.abs(draws) > 6.0).mean() - 0.0027) < 0.0003  # beyond 3 std
    assert abs(np.corrcoef(draws[:-1], draws[1:])[0, 1]) < 0.005
    params = {"std": 0.05, "per_channel": True, "noise_seed": 3}
    first = run("gaussian_noise", RGB, params)
    threads = cv2.getNumThreads()
    try:
        cv2.setNumThreads(2)
        cv2.randn(np.empty((100, 1), np.float32), 0.0, 1.0)  # the thread's generator moved on
        np.testing.assert_array_equal(run("gaussian_noise", RGB, params), first)
    finally:
        cv2.setNumThreads(threads)
    other = run("gaussian_noise", RGB, {**params, "noise_seed": 4}).astype(float) - RGB
    assert abs(np.corrcoef(other.ravel(), first.astype(float).ravel() - RGB.ravel())[0, 1]) < 0.05


def test_gaussian_noise_is_the_same_when_threads_draw_at_once():
    # OpenCV's generator state is per thread: copies made by concurrent
    # threads (a threaded executor) get the noise of their own seeds.
    from concurrent.futures import ThreadPoolExecutor

    large = np.tile(RGB, (10, 10, 1))  # 480x640: OpenCV draws for ms, the GIL released

    def noisy(seed):
        return run("gaussian_noise", large, {"std": 0.05, "per_channel": True, "noise_seed": seed})
    serial = [noisy(seed) for seed in range(16)]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(noisy, range(16)))
    for one, other in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(one, other)


def test_motion_blur_smears_along_its_direction_only():
    kernel = motion_kernel(7, 0.0)
    assert abs(kernel.sum() - 1) < 1e-6 and (kernel[3] > 0).all() and kernel.sum(axis=1)[3] == kernel.sum()
    rows = np.zeros((30, 30), np.uint8)
    rows[10:20] = 255  # a horizontal band: blurring along rows changes nothing
    np.testing.assert_array_equal(run("motion_blur", rows, {"kernel": 7, "angle_deg": 0.0}), rows)
    smeared = run("motion_blur", rows, {"kernel": 7, "angle_deg": 90.0})
    assert 0 < smeared[8, 15] < 255


@pytest.mark.parametrize("size", [3, 5, 9, 15])
def test_motion_kernel_is_an_unbroken_line_of_its_length(size):
    for angle in np.linspace(0.0, 180.0, 37):
        kernel = motion_kernel(size, float(angle))
        cells = np.argwhere(kernel > 0)
        assert len(cells) <= size and np.allclose(kernel[kernel > 0], 1.0 / len(cells))
        # both ends reached: the line spans (size - 1) x |cos|, |sin| pixels
        span_y, span_x = cells.max(axis=0) - cells.min(axis=0)
        radians = np.radians(angle)
        assert abs(span_x - (size - 1) * abs(np.cos(radians))) <= 1
        assert abs(span_y - (size - 1) * abs(np.sin(radians))) <= 1
        # 8-connected: sorted along the line, each cell touches the next
        order = cells[np.argsort(cells @ np.array([-np.sin(radians), np.cos(radians)]))]
        assert (np.abs(np.diff(order, axis=0)).max(axis=1) <= 1).all()


def test_median_blur_removes_salt_at_8_and_16_bits():
    salty = np.zeros((21, 21), np.uint8)
    salty[10, 10] = 255
    assert run("median_blur", salty, {"kernel": 3}).max() == 0
    noisy = RGB[..., 0].copy()
    wide = noisy.astype(np.uint16) * 257
    big = run("median_blur", wide, {"kernel": 7})  # beyond OpenCV's 16-bit limit of 5
    np.testing.assert_array_equal(big, cv2.medianBlur(noisy, 7).astype(np.uint16) * 257)


def _median_by_windows(image: np.ndarray, size: int) -> np.ndarray:
    """The definition: the middle of every size x size window, edges replicated."""
    half = size // 2
    planes = image[..., None] if image.ndim == 2 else image
    out = np.empty_like(planes)
    for c in range(planes.shape[2]):
        padded = np.pad(planes[..., c], half, mode="edge")
        windows = np.lib.stride_tricks.sliding_window_view(padded, (size, size))
        out[..., c] = np.sort(windows.reshape(*windows.shape[:2], -1), axis=2)[..., size * size // 2]
    return out.reshape(image.shape)


@pytest.mark.parametrize("shape", [(37, 41), (30, 26, 3), (9, 300, 4), (1, 1), (1, 40, 2), (50, 1, 3)])
@pytest.mark.parametrize("size", [7, 15, 31])
def test_median_blur_at_16_bits_is_the_exact_median(shape, size):
    rng = np.random.default_rng(size)
    spread_out = rng.integers(0, 65536, shape, dtype=np.uint16)
    close = rng.integers(40_000, 40_700, shape, dtype=np.uint16)  # a few high bytes, many low ones
    for image in (spread_out, close):
        expected = _median_by_windows(image, size)
        np.testing.assert_array_equal(run("median_blur", image, {"kernel": size}), expected)


def test_median_blur_at_16_bits_needs_memory_of_the_image_not_the_kernel_squared():
    """A window array was H x W x kernel^2 (512 x 512, kernel 31: 1 GB)."""
    import tracemalloc

    y, x = np.mgrid[:96, :96]
    image = np.stack([(x * 701 + y * 301 + c * 9000) % 65536 for c in range(3)], axis=-1).astype(np.uint16)
    tracemalloc.start()
    try:
        out = run("median_blur", image, {"kernel": 61})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 24 * 2**20  # the old window array alone: 96 x 96 x 61^2 x 2 bytes = 66 MiB per channel
    for row, col in ((40, 40), (47, 60), (33, 50)):  # windows inside the image: plain medians
        window = image[row - 30 : row + 31, col - 30 : col + 31].reshape(-1, 3)
        np.testing.assert_array_equal(out[row, col], np.median(window, axis=0).astype(np.uint16))


def test_sharpen_raises_edge_contrast_and_keeps_flat_areas():
    soft = cv2.GaussianBlur(RGB, (0, 0), 1.5)

    def edges(image):
        return np.abs(cv2.Laplacian(image, cv2.CV_32F)).mean()

    sharp = run("sharpen", soft, {"amount": 1.0, "sigma": 1.0})
    assert edges(sharp) > edges(soft) * 1.3
    for sigma in (1.0, 0.5):  # the separable path and the single 3x3 kernel
        np.testing.assert_array_equal(run("sharpen", GREY, {"amount": 2.0, "sigma": sigma}), GREY)
        size = 5 if sigma == 1.0 else 3
        blurred = cv2.GaussianBlur(soft, (size, size), sigma).astype(float)
        expected = np.clip(soft + 2.0 * (soft - blurred), 0, 255)
        out = run("sharpen", soft, {"amount": 2.0, "sigma": sigma})
        assert np.abs(out - expected).max() <= 2


def test_defocus_spreads_a_point_into_a_disc():
    dot = np.zeros((31, 31), np.uint16)
    dot[15, 15] = 65535
    out = run("defocus", dot, {"radius": 5, "alias_blur": 0.0})
    area = (out > 0).sum()
    assert abs(area - np.pi * 25) < 20 and out[15, 10] > 0 and out[15, 9] == 0


def test_random_erasing_changes_only_inside_reported_boxes():
    for seed in range(8):
        out, params = apply("random_erasing", KINDS["rgba8"], seed, count=2, fill=200)
        inside = np.zeros(out.shape[:2], bool)
        for x, y, w, h in params["boxes"]:
            inside[y:y + h, x:x + w] = True
            assert 0.015 <= w * h / (48 * 64) <= 0.25
        np.testing.assert_array_equal(out[~inside], KINDS["rgba8"][~inside])
        assert (out[inside][:, :3] == 200).all()
        np.testing.assert_array_equal(out[..., 3], KINDS["rgba8"][..., 3])  # alpha kept
    mean, params = apply("random_erasing", RGB, 1, fill_mode="mean")
    x, y, w, h = params["boxes"][0]
    np.testing.assert_allclose(mean[y, x], RGB.reshape(-1, 3).mean(axis=0), atol=0.51)
    noisy, params = apply("random_erasing", RGB, 1, fill_mode="random", area=[0.2, 0.2])
    x, y, w, h = params["boxes"][0]
    assert noisy[y:y + h, x:x + w].std() > 50


def test_grid_dropout_drops_ratio_squared_on_a_grid():
    out, params = apply("grid_dropout", GREY, 2, ratio=0.5, unit=0.25, fill=0)
    unit, hole = params["unit_px"], params["hole_px"]
    assert (unit, hole) == (10, 5)
    dropped = out[..., 0] == 0
    assert abs(dropped.mean() - 0.25) < 0.01
    np.testing.assert_array_equal(dropped, np.roll(dropped, unit, axis=(0, 1)))


def separable_gaussian(image, size, sigma):
    taps = cv2.getGaussianKernel(size, sigma)
    return cv2.sepFilter2D(image, -1, taps, taps, borderType=cv2.BORDER_REFLECT_101)


def within_levels(a, b, levels):
    return int(np.abs(a.astype(np.int64) - b.astype(np.int64)).max()) <= levels


def test_gaussian_blur_matches_opencv_and_zero_sigma_is_identity():
    out = run("gaussian_blur", RGB, {"sigma": 2.0})
    np.testing.assert_array_equal(out, separable_gaussian(RGB, 13, 2.0))  # OpenCV's 8-bit window: 6 sigma + 1
    assert within_levels(out, cv2.GaussianBlur(RGB, (0, 0), 2.0), 2)  # OpenCV's fixed-point filter
    deep = (RGB.astype(np.uint16) * 257)
    np.testing.assert_array_equal(run("gaussian_blur", deep, {"sigma": 2.0}),
                                  separable_gaussian(deep, 17, 2.0))  # 16-bit: 8 sigma + 1, as OpenCV
    assert out.std() < RGB.std()
    np.testing.assert_array_equal(run("gaussian_blur", RGB, {"sigma": 0.0}), RGB)


def test_gaussian_blur_kernel_range_draws_odd_windows_the_blur_uses():
    kernels = {apply("gaussian_blur", RGB, seed, sigma=1.0, kernel=[3, 5])[1]["kernel"]
               for seed in range(40)}
    assert kernels == {3, 5}
    out, params = apply("gaussian_blur", RGB, 0, sigma=1.0, kernel=3)
    assert params == {"sigma": 1.0, "kernel": 3}
    np.testing.assert_array_equal(out, separable_gaussian(RGB, 3, 1.0))
    assert not np.array_equal(out, separable_gaussian(RGB, 7, 1.0))  # 7 taps from sigma
    # Without `kernel` nothing more is drawn: older recipes keep their streams.
    assert apply("gaussian_blur", RGB, 5, sigma=[0.5, 1.5])[1]["kernel"] == 0


def test_median_blur_and_motion_blur_draw_odd_sizes_evenly():
    sizes = [apply("median_blur", RGB, seed, kernel=[3, 5])[1]["kernel"] for seed in range(200)]
    assert set(sizes) == {3, 5} and 70 < sizes.count(3) < 130
    motion = {apply("motion_blur", RGB, seed, kernel=[4, 8])[1]["kernel"] for seed in range(100)}
    assert motion == {5, 7, 9}


# The transforms these tests pin down (tests/test_registry.py fails while a
# registered transform is named in no module's BEHAVIOUR).
BEHAVIOUR = {
    "image/defocus": test_defocus_spreads_a_point_into_a_disc,
    "image/downscale": test_downscale_loses_fine_detail_but_keeps_blocks,
    "image/gaussian_blur": (test_gaussian_blur_matches_opencv_and_zero_sigma_is_identity,
                            test_gaussian_blur_kernel_range_draws_odd_windows_the_blur_uses),
    "image/gaussian_noise": test_gaussian_noise_has_the_drawn_std,
    "image/grid_dropout": test_grid_dropout_drops_ratio_squared_on_a_grid,
    "image/jpeg": test_jpeg_quality_orders_the_error,
    "image/median_blur": (test_median_blur_removes_salt_at_8_and_16_bits,
                          test_median_blur_and_motion_blur_draw_odd_sizes_evenly),
    "image/motion_blur": (test_motion_blur_smears_along_its_direction_only,
                          test_median_blur_and_motion_blur_draw_odd_sizes_evenly),
    "image/random_erasing": test_random_erasing_changes_only_inside_reported_boxes,
    "image/sharpen": test_sharpen_raises_edge_contrast_and_keeps_flat_areas,
}
