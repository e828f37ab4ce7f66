"""Outside-in scanner engine: plain asyncio Python, no Django import."""
