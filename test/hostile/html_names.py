import asyncio

PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'

async def evil():
    print(PAYLOAD)
    await asyncio.sleep(0.1)
    raise ValueError('"><svg onload="window.__pwned=3">')

async def main():
    task = asyncio.create_task(evil(), name=PAYLOAD)
    try:
        await task
    except ValueError:
        pass

asyncio.run(main())
