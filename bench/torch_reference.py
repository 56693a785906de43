"""The same network trained with PyTorch on the CPU: the benchmark's reference.

Same architecture (784-64-10, sigmoid hidden layer, softmax cross-entropy),
same initial weights (copied from `nnscratch.init_params` with the same seed),
float32, batch 64, the moving-average momentum written by hand
(v <- beta v + (1 - beta) g, theta <- theta - lr v), and a plain loop that
slices a freshly shuffled copy of the data tensors each epoch (no
DataLoader, which is slower). Gradients come from autograd, as anyone
writing this in PyTorch would do.

Imported only by the benchmark; PyTorch is the optional `bench` extra.
"""

import torch
import torch.nn.functional as F


def make_epoch(X_rows, y, params, *, lr=0.5, beta=0.9, batch_size=64, seed=0):
    """Build a function that trains one epoch in place each time it is called.

    Args:
        X_rows: float32 images, shape (m, 784): one row per example (PyTorch's layout).
        y: integer labels, shape (m,).
        params: nnscratch parameters (W1, b1, W2, b2) giving the initial weights.

    Returns:
        (epoch, model): a no-argument callable and the `torch.nn.Sequential` it trains.
    """
    X = torch.from_numpy(X_rows)
    y = torch.from_numpy(y).long()
    model = torch.nn.Sequential(torch.nn.Linear(784, params["W1"].shape[0]), torch.nn.Sigmoid(),
                                torch.nn.Linear(params["W1"].shape[0], 10))
    with torch.no_grad():
        for layer, w, b in ((model[0], "W1", "b1"), (model[2], "W2", "b2")):
            layer.weight.copy_(torch.from_numpy(params[w]))
            layer.bias.copy_(torch.from_numpy(params[b].ravel()))
    velocity = [torch.zeros_like(p) for p in model.parameters()]
    generator = torch.Generator().manual_seed(seed)
    m = X.shape[0]

    def epoch():
        order = torch.randperm(m, generator=generator)
        X_shuffled, y_shuffled = X[order], y[order]
        for begin in range(0, m, batch_size):
            loss = F.cross_entropy(model(X_shuffled[begin:begin + batch_size]),
                                   y_shuffled[begin:begin + batch_size])
            model.zero_grad(set_to_none=True)
            loss.backward()
            with torch.no_grad():
                for p, v in zip(model.parameters(), velocity):
                    v.mul_(beta).add_(p.grad, alpha=1 - beta)
                    p.sub_(v, alpha=lr)

    return epoch, model
