*** Settings ***
Documentation       Collect the raw machine logs of a welding case into one board-level table.
...                 Run: uv run python -m robot --variable CASE:path/to/public
...                 --outputdir out labs/welding/collect.robot
Library             labs.welding.robot_keywords.WeldingCollection

*** Variables ***
${CASE}             ${CURDIR}${/}public
${OUT}              ${OUTPUT DIR}${/}collected

*** Tasks ***
Collect Machine Logs
    ${result}=    Collect Logs    ${CASE}    ${OUT}
    Log    Boards collected: ${result}[boards]
    FOR    ${fix}    IN    @{result}[fixes]
        Log    ${fix}
    END
    Report Should Name Fixes    ${result}    minimum=3
