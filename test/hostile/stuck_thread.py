import asyncio, threading, time

def forever():
    while True:
        time.sleep(0.1)

async def main():
    threading.Thread(target=forever).start()
    await asyncio.sleep(0.1)
    print("main done")

asyncio.run(main())
