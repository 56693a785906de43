# %% [markdown]
# # Training on the shipped sample
#
# Test $x^2$.

# %%
import nnscratch as nn
print(nn.load_sample().X_train.shape)
