// Placeholder: the cost benchmark comes with the engine layer.
print("PushCostBenchmark: not written yet")
