"""Exercise he-factor (Initialisation page of the nnscratch site).

For a layer z = W a with n_in inputs, a = relu(z) of the layer below, weights drawn
independently from a distribution symmetric about 0, find the standard deviation of
the weights that keeps Var(z) the same from layer to layer. The checker measures it
(Monte Carlo) through eight ReLU layers.

Grade it with:

    nnscratch check he-factor he_factor.py
"""


def he_std(fan_in: int) -> float:
    """Standard deviation of the weights of a ReLU layer with `fan_in` inputs."""
    raise NotImplementedError("write he_std(fan_in)")
