import asyncio

async def main():
    name = input("name? ")
    print("hello", name)

asyncio.run(main())
