# Step 01 starts here: an empty app/main.py.
# Read docs/steps/01-hello.md, then create your FastAPI app in this file.
