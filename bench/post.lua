-- POSTs for wrk: each line of $BENCH_POST_FILE is "PATH<TAB>JSON BODY"; thread k of n sends
-- lines k, k+n, k+2n, ... (wrapping round at the end), so no two requests share a line.
local lines = {}
for line in io.lines(os.getenv("BENCH_POST_FILE")) do
    local path, body = line:match("^([^\t]+)\t(.*)$")
    lines[#lines + 1] = { path, body }
end
local threads = 0

function setup(thread)
    thread:set("tid", threads)
    threads = threads + 1
end

function init(args)
    step = 2
    next_line = tid
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    local l = lines[(next_line % #lines) + 1]
    next_line = next_line + step
    return wrk.format("POST", l[1], nil, l[2])
end
