# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Notebook: training on the shipped sample
#
# This page is a notebook: its source is a plain Python file in jupytext's
# percent format (download it with the button at the top right, then run it as a
# script, or open it in Jupyter with jupytext installed). It is executed every
# time the site is built, so every figure below comes from a fresh run.
#
# It trains the write-up's network, 784 inputs, 64 sigmoid units and 10 softmax
# outputs, on the 5,000 training images that ship inside the package, and tests
# it on the 1,000 test images shipped with them. Only the number of epochs
# differs from the write-up, to keep the build quick; the full run is on the
# Results page.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nnscratch as nn
from nnscratch.plots import plot_confusion, plot_history  # leaves your backend alone

data = nn.load_sample()
X_train, Y_train = data.X_train, nn.one_hot(data.y_train)
X_test, Y_test = data.X_test, nn.one_hot(data.y_test)
print("train", X_train.shape, Y_train.shape, " test", X_test.shape, Y_test.shape)

# %% [markdown]
# ## Training
#
# `nn.train` runs mini-batch gradient descent with momentum in the moving-average
# form $v \leftarrow \beta v + (1-\beta)\nabla_\theta L$,
# $\theta \leftarrow \theta - \eta v$ (see the Training page), and evaluates the
# test set after every epoch (for the curves only: nothing is tuned on it).

# %%
config = nn.TrainConfig(epochs=10, seed=0)
params, history = nn.train(X_train, Y_train, config, X_test=X_test, Y_test=Y_test)
for record in history:
    print(f"epoch {record['epoch']:2d}  train loss {record['train_loss']:.4f}  "
          f"test loss {record['test_loss']:.4f}  "
          f"test accuracy {record['test_accuracy']:.4f}")

# %% [markdown]
# ## Loss and accuracy curves
#
# With only 5,000 training images the gap between the training and the test
# curves opens quickly: the network starts to memorise its training set.

# %%
plot_history(history)
plt.show()

# %% [markdown]
# ## Confusion matrix
#
# Row $t$, column $k$ counts the test images of digit $t$ that the network called $k$.
# The diagonal holds the correct answers; the colours, on the scale of the bar,
# show only the mistakes, so that the much larger diagonal does not wash them out.

# %%
_, predictions = nn.evaluate(X_test, Y_test, params)
C = nn.confusion_matrix(data.y_test, predictions)
plot_confusion(C)
plt.show()
print(nn.classification_report(data.y_test, predictions))

# %% [markdown]
# ## What the 64 hidden units look for
#
# Row $h$ of $W^{[1]}$ holds the 784 weights of hidden unit $h$. Shown as a 28 × 28
# image, it is the pattern of ink that drives the unit up (red) or down (blue).

# %%
W1 = params["W1"]
limit = np.abs(W1).max()
fig, axes = plt.subplots(8, 8, figsize=(8, 8), layout="constrained")
for h, ax in enumerate(axes.ravel()):
    ax.imshow(W1[h].reshape(28, 28), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_axis_off()
fig.suptitle("First-layer weights, one 28 × 28 image per hidden unit")
plt.show()

# %% [markdown]
# ## Some digits it gets wrong
#
# The first twelve misclassified test images, with the true label and the
# network's answer. Several are hard even for a person.

# %%
wrong = np.flatnonzero(predictions != data.y_test)
print(f"{wrong.size} of {data.y_test.size} test images misclassified")
fig, axes = plt.subplots(2, 6, figsize=(9, 3.6), layout="constrained")
for ax, j in zip(axes.ravel(), wrong[:12]):
    ax.imshow(X_test[:, j].reshape(28, 28), cmap="gray_r")
    ax.set_title(f"true {data.y_test[j]}, said {predictions[j]}", fontsize=9)
    ax.set_axis_off()
plt.show()
