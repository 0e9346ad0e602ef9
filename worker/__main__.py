from .cli import main

if __name__ == "__main__":  # not when a spawned cleaning worker imports it
    main(prog_name="feedworker")
