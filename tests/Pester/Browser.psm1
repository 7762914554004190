# Opens a report in headless Chromium and tells what the browser saw: whether the page's own render
# check passed, how many charts and face thumbnails rendered, and every console message. The report's
# script writes nothing to the console on success, so any console line (a CSP violation, a script
# error, a failed check) is a problem.

Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')

function Get-TestChromium {
    <# The headless browser the tests use, or $null. INSIGHTFACEEVAL_CHROMIUM overrides the search. #>
    if ($env:INSIGHTFACEEVAL_CHROMIUM -and (Test-Path $env:INSIGHTFACEEVAL_CHROMIUM)) { return $env:INSIGHTFACEEVAL_CHROMIUM }
    foreach ($name in 'chromium', 'chromium-browser', 'google-chrome', 'chrome') {
        $cmd = Get-Command $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($cmd) { return $cmd.Source }
    }
    $null
}

function Invoke-Chromium {
    param([string] $Executable, [string[]] $Arguments, [int] $TimeoutSeconds = 90)
    $profile = Join-Path ([System.IO.Path]::GetTempPath()) ('ife-chromium-' + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $profile
    try {
        # A fresh profile and no background traffic: the browser talks to nothing while it renders.
        $all = @('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--disable-default-apps', '--disable-extensions', '--hide-scrollbars', '--mute-audio',
            "--user-data-dir=$profile") + $Arguments
        Invoke-TestProcess -FilePath $Executable -ArgumentList $all -TimeoutSeconds $TimeoutSeconds -What 'Chromium'
    }
    finally {
        Remove-Item -LiteralPath $profile -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Invoke-ReportInBrowser {
    <#
    .SYNOPSIS
        Renders an HTML report in headless Chromium, returns what the page reported, and saves a
        full-page screenshot.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [string] $ScreenshotPath,
        [int] $Width = 1280
    )
    $chromium = Get-TestChromium
    if (-not $chromium) { throw 'No Chromium found.' }
    $uri = [System.Uri]::new((Resolve-Path -LiteralPath $Path).Path).AbsoluteUri
    # --enable-logging=stderr prints each console message as an INFO:CONSOLE line.
    $run = Invoke-Chromium $chromium @('--enable-logging=stderr', '--v=0', '--virtual-time-budget=5000', "--window-size=$Width,900", '--dump-dom', $uri)
    $console = @($run.StdErr -split "`r?`n" | Where-Object { $_ -match ':CONSOLE[:(]' } | ForEach-Object {
            if ($_ -match '\] "(.*)", source: ') { $Matches[1] } else { $_ }
        })
    $body = [regex]::Match($run.StdOut, '<body[^>]*>')
    function Get-BodyAttribute([string] $Name) {
        $m = [regex]::Match($body.Value, "$Name=`"([^`"]*)`"")
        if ($m.Success) { [System.Net.WebUtility]::HtmlDecode($m.Groups[1].Value) } else { $null }
    }
    $result = [pscustomobject]@{
        Status         = Get-BodyAttribute 'data-report-status'
        ExpectedCharts = [int](Get-BodyAttribute 'data-expected-charts')
        ChartsRendered = [int](Get-BodyAttribute 'data-charts-rendered')
        ImagesRendered = [int](Get-BodyAttribute 'data-images-rendered')
        Problems       = Get-BodyAttribute 'data-report-problems'
        PageHeight     = [int](Get-BodyAttribute 'data-page-height')
        Console        = $console
        Screenshot     = $null
    }
    if ($ScreenshotPath) {
        $null = New-Item -ItemType Directory -Path (Split-Path $ScreenshotPath) -Force
        $height = [Math]::Min([Math]::Max($result.PageHeight, 600), 16000)
        $shot = Invoke-Chromium $chromium @("--window-size=$Width,$height", "--screenshot=$ScreenshotPath", '--virtual-time-budget=5000', $uri)
        if ((Test-Path $ScreenshotPath) -and (Get-Item $ScreenshotPath).Length -gt 0) { $result.Screenshot = (Resolve-Path $ScreenshotPath).Path }
        elseif ($shot.ExitCode -ne 0) { Write-Warning "Chromium screenshot failed: $($shot.StdErr)" }
    }
    $result
}

function Invoke-MarkdownInBrowser {
    <#
    .SYNOPSIS
        Renders a Markdown file with a real renderer's browser build in headless Chromium, inserted the way
        previews and wikis do (innerHTML), and returns what the page saw: whether any injected handler ran,
        the elements no report should contain, and the headings that rendered.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $RendererScript
    )
    $chromium = Get-TestChromium
    if (-not $chromium) { throw 'No Chromium found.' }
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('ife-md-' + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $folder
    try {
        Copy-Item -LiteralPath $RendererScript -Destination (Join-Path $folder 'renderer.js')
        $markdown = [System.IO.File]::ReadAllText($Path, [System.Text.Encoding]::UTF8)
        # The Markdown goes in as a JSON string, so the page itself cannot be broken by it.
        $json = ConvertTo-Json -InputObject $markdown -Compress
        $json = $json.Replace('<', '\u003c').Replace('>', '\u003e')
        $page = @"
<!DOCTYPE html><html><head><meta charset="utf-8"><script src="renderer.js"></script></head>
<body><div id="out"></div><script>
var md = $json;
document.getElementById('out').innerHTML = marked.parse(md);
setTimeout(function () {
  var out = document.getElementById('out');
  var bad = out.querySelectorAll('script, iframe, object, embed, svg, style, form, [onerror], [onload], [onclick], a[href^="javascript:" i], img:not([src$=".svg"])');
  var heads = Array.prototype.map.call(out.querySelectorAll('h1, h2'), function (h) { return h.textContent; });
  document.body.setAttribute('data-injected-elements', String(bad.length));
  document.body.setAttribute('data-injected-tags', Array.prototype.map.call(bad, function (e) { return e.tagName; }).join(','));
  document.body.setAttribute('data-headings', heads.join('|'));
  document.body.setAttribute('data-done', '1');
}, 1000);
</script></body></html>
"@
        $html = Join-Path $folder 'page.html'
        [System.IO.File]::WriteAllText($html, $page, [System.Text.UTF8Encoding]::new($false))
        $uri = [System.Uri]::new($html).AbsoluteUri
        $run = Invoke-Chromium $chromium @('--virtual-time-budget=5000', '--allow-file-access-from-files', '--dump-dom', $uri)
        $body = [regex]::Match($run.StdOut, '<body[^>]*>').Value
        $attr = {
            param($Name)
            $m = [regex]::Match($body, "$Name=`"([^`"]*)`"")
            if ($m.Success) { [System.Net.WebUtility]::HtmlDecode($m.Groups[1].Value) } else { $null }
        }
        [pscustomobject]@{
            Done             = (& $attr 'data-done') -eq '1'
            Pwned            = & $attr 'data-pwned'
            InjectedElements = [int](& $attr 'data-injected-elements')
            InjectedTags     = & $attr 'data-injected-tags'
            Headings         = @((& $attr 'data-headings') -split '\|')
        }
    }
    finally {
        Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Get-TestChromium, Invoke-ReportInBrowser, Invoke-MarkdownInBrowser
