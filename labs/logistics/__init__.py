LAB = None
