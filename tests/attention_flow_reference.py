#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Independent attention-flow oracle for test_attention_flow (Abnar & Zuidema 2020, section 3).

Reads a JSON file {"maps": [[head, ...], ...] (layer x head x n x n), "layer": L} and prints JSON
{"flow": n x n}: the maximum flow from each position of layer L to each input token in the
layered graph of 0.5 * mean_h(A_l) + 0.5 * I (rows renormalised), computed by networkx's
Edmonds-Karp (Debian python3-networkx), each row normalised to sum 1.

usage: /usr/bin/python3 tests/attention_flow_reference.py MAPS.json
"""
import json
import sys

import networkx as nx
import numpy as np


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    maps = np.array(spec["maps"], dtype=np.float64)  # (layers, heads, n, n)
    top = int(spec["layer"])
    n = maps.shape[-1]
    graph = nx.DiGraph()
    for layer in range(top + 1):
        mixed = 0.5 * maps[layer].mean(axis=0) + 0.5 * np.eye(n)
        mixed /= mixed.sum(axis=-1, keepdims=True)
        for i in range(n):
            for j in range(n):
                # node (level, position); level 0 holds the input tokens
                graph.add_edge((layer + 1, i), (layer, j), capacity=float(mixed[i, j]))
    flow = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            flow[i, j] = nx.maximum_flow_value(graph, (top + 1, i), (0, j),
                                               flow_func=nx.algorithms.flow.edmonds_karp)
        flow[i] /= flow[i].sum()
    json.dump({"flow": flow.tolist()}, sys.stdout)


if __name__ == "__main__":
    main()
