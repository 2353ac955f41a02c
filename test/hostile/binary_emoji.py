import asyncio, sys

async def main():
    print("party 🎉 ünïcödé")
    sys.stdout.flush()
    sys.stdout.buffer.write(b"\xff\xfe raw bytes\n")
    sys.stdout.buffer.flush()
    await asyncio.sleep(0)

asyncio.run(main())
