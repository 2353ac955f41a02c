"""gather: run several awaitables at once and collect their results.

Question: what does `gather` do, and what happens when one of them fails?
Look in Loopscope: `gather` wraps each coroutine in a task (one lane each, created at the gather
line) and main waits there (reason gather) until every child is done, then gets the results in
the order it passed them. Part 1: with `return_exceptions=True` the failed download comes back as a
value in the list. Part 2: without it, main gets the first exception as soon as it happens (2 s in),
while the other downloads keep running.
"""
import asyncio


async def download(name, seconds):
    await asyncio.sleep(seconds)
    if name.endswith(".exe"):
        raise ValueError(f"{name} blocked by the antivirus")  # the failing download
    print(f"downloaded {name}")
    return len(name)


async def main():
    files = [download("cat.jpg", 1), download("virus.exe", 2), download("song.mp3", 3)]
    results = await asyncio.gather(*files, return_exceptions=True)  # part 1: gather
    print("with return_exceptions:", results)

    files = [download("cat.jpg", 1), download("virus.exe", 2), download("song.mp3", 3)]
    try:
        await asyncio.gather(*files)  # part 2: gather
    except ValueError as error:
        print("without it, main gets:", error)
    await asyncio.sleep(2)  # song.mp3 is still downloading: give it time to finish


asyncio.run(main())
