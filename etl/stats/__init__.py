"""The statistics engine: vectorised tests over whole dataset matrices (numpy and scipy.special).

Each module takes float matrices (features x samples, NaN = missing) and returns one result per row;
nothing here touches the database.
"""
