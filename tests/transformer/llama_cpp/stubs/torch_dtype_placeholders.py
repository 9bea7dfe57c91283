# torch 1.13 lacks dtypes the converter names in its tables; placeholders keep the tables
# importable (the check's tensors are float32).
import torch
for _name in ["float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
              "uint16", "uint32", "uint64"]:
    if not hasattr(torch, _name):
        setattr(torch, _name, type(_name, (), {})())
